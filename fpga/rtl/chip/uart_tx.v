// SPDX-License-Identifier: MIT
// 8N1 UART transmitter. div = clocks per bit - 1.
`default_nettype none

module uart_tx (
    input  wire        clk,
    input  wire        rst,
    input  wire [15:0] div,
    input  wire        valid,
    input  wire [7:0]  data,
    output wire        ready,
    output reg         tx
);
    reg [15:0] tick;
    reg [3:0]  bitn;
    reg [8:0]  sh;
    reg        busy;
    assign ready = !busy;

    always @(posedge clk) begin
        if (rst) begin
            busy <= 1'b0;
            tx   <= 1'b1;
        end else if (!busy) begin
            if (valid) begin
                busy <= 1'b1;
                sh   <= {data, 1'b0};
                bitn <= 4'd0;
                tick <= div;
                tx   <= 1'b0;
            end
        end else if (tick != 16'd0) begin
            tick <= tick - 16'd1;
        end else begin
            tick <= div;
            bitn <= bitn + 4'd1;
            if (bitn == 4'd9) begin
                busy <= 1'b0;
            end else begin
                tx <= (bitn == 4'd8) ? 1'b1 : sh[bitn + 4'd1];
            end
        end
    end
endmodule
