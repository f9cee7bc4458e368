// SPDX-License-Identifier: MIT
// iCE40-HX8K breakout board top: one bm13xx_chip on the FTDI UART (second channel:
// FPGA rx = B10, tx = B12), clocked by the board's 12 MHz oscillator on J3, reset by a
// power-on counter. 115200 Bd after reset (12 MHz / 104); the baud register (0x28)
// takes clocks per bit - 1. The chain's downstream side is not wired on this board:
// ds_rx is idle, ds_tx drives LED D2 (it flickers with relayed traffic).
`default_nettype none

module hx8k_top #(
    parameter LANES = 6
) (
    input  wire       clk12m,
    input  wire       rx,
    output wire       tx,
    output wire [7:0] led
);
    reg [7:0] por = 8'd0;
    wire      rst = ~por[7];
    always @(posedge clk12m)
        if (!por[7]) por <= por + 8'd1;

    wire ds_tx;
    bm13xx_chip #(.LANES(LANES), .DIV_INIT(16'd103)) u_chip (
        .clk(clk12m), .rst(rst), .us_rx(rx), .us_tx(tx), .ds_tx(ds_tx), .ds_rx(1'b1));

    assign led = {6'd0, ~ds_tx, rst};
endmodule
