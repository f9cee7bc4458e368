// SPDX-License-Identifier: MIT
// 256 x WIDTH memory, one write and one registered read port per clock: the shape an
// iCE40 SB_RAM40_4K has (yosys infers two of them for WIDTH = 32).
`default_nettype none

module ram_1w1r #(
    parameter WIDTH = 32
) (
    input  wire             clk,
    input  wire             we,
    input  wire [7:0]       waddr,
    input  wire [WIDTH-1:0] wdata,
    input  wire [7:0]       raddr,
    output reg  [WIDTH-1:0] rdata
);
    // Callers never read the word written in the same clock (the engine's taps are at
    // least 5 words behind, the job and FIFO banks alternate), so no bypass logic.
    (* no_rw_check *)
    reg [WIDTH-1:0] mem [0:255];
    always @(posedge clk) begin
        if (we)
            mem[waddr] <= wdata;
        rdata <= mem[raddr];
    end
endmodule
