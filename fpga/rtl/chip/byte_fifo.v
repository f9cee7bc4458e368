// SPDX-License-Identifier: MIT
// Small byte FIFO (DEPTH a power of two), first-word-fall-through.
`default_nettype none

module byte_fifo #(
    parameter AW = 4            // depth 2^AW
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       in_valid,
    input  wire [7:0] in_data,
    output wire       in_ready,
    output wire       out_valid,
    output wire [7:0] out_data,
    input  wire       out_ready,
    output wire [AW:0] count
);
    reg [7:0]  mem [0:(1 << AW) - 1];
    reg [AW:0] wp, rp;
    assign count     = wp - rp;
    assign in_ready  = (count != (1 << AW));
    assign out_valid = (wp != rp);
    assign out_data  = mem[rp[AW-1:0]];
    always @(posedge clk) begin
        if (rst) begin
            wp <= 0;
            rp <= 0;
        end else begin
            if (in_valid && in_ready) begin
                mem[wp[AW-1:0]] <= in_data;
                wp <= wp + 1'b1;
            end
            if (out_valid && out_ready)
                rp <= rp + 1'b1;
        end
    end
endmodule
