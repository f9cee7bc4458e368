// SPDX-License-Identifier: MIT
// 8N1 UART receiver. div = clocks per bit - 1 (programmable: the chip's baud register).
`default_nettype none

module uart_rx (
    input  wire        clk,
    input  wire        rst,
    input  wire [15:0] div,
    input  wire        rx,
    output reg         valid,   // one clock, data holds the byte
    output reg  [7:0]  data
);
    reg [2:0]  sync;
    reg [15:0] tick;
    reg [3:0]  bitn;
    reg        busy;
    wire       rxs = sync[2];

    always @(posedge clk) begin
        sync  <= {sync[1:0], rx};
        valid <= 1'b0;
        if (rst) begin
            sync <= 3'b111;
            busy <= 1'b0;
        end else if (!busy) begin
            if (!rxs) begin                 // start bit edge: sample mid-bit
                busy <= 1'b1;
                bitn <= 4'd0;
                tick <= {1'b0, div[15:1]};
            end
        end else if (tick != 16'd0) begin
            tick <= tick - 16'd1;
        end else begin
            tick <= div;
            bitn <= bitn + 4'd1;
            if (bitn == 4'd0) begin
                if (rxs) busy <= 1'b0;      // a glitch, not a start bit
            end else if (bitn <= 4'd8) begin
                data <= {rxs, data[7:1]};   // LSB first
            end else begin
                busy  <= 1'b0;
                valid <= rxs;               // good stop bit
            end
        end
    end
endmodule
