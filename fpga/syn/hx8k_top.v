// SPDX-License-Identifier: MIT
// iCE40-HX8K breakout board top: one bm13xx_chip on the FTDI UART (second channel:
// FPGA rx = B10, tx = B12), clocked from the board's 12 MHz oscillator on J3 through
// the PLL at 48 MHz (DIVR 0, DIVF 63, DIVQ 4: icepll -i 12 -o 48), under the Fmax
// nextpnr reports; reset by a power-on counter held until the PLL locks. 115200 Bd after
// reset (48 MHz / 416); the baud register (0x28) takes clocks per bit - 1.
// Without SYNTHESIS (lint, simulation) the PLL is left out and the clock is 12 MHz. The chain's downstream side is not wired on this board:
// ds_rx is idle, ds_tx drives LED D2 (it flickers with relayed traffic).
`default_nettype none

module hx8k_top #(
    parameter LANES = 4
) (
    input  wire       clk12m,
    input  wire       rx,
    output wire       tx,
    output wire [7:0] led
);
    wire clk, locked;
`ifdef SYNTHESIS
    localparam [15:0] DIV = 16'd415;   // 48 MHz / 416 = 115385 Bd
    SB_PLL40_CORE #(
        .FEEDBACK_PATH("SIMPLE"), .DIVR(4'b0000), .DIVF(7'b0111111), .DIVQ(3'b100),
        .FILTER_RANGE(3'b001)
    ) u_pll (
        .REFERENCECLK(clk12m), .PLLOUTCORE(clk), .PLLOUTGLOBAL(), .LOCK(locked),
        .RESETB(1'b1), .BYPASS(1'b0), .EXTFEEDBACK(1'b0), .DYNAMICDELAY(8'd0),
        .LATCHINPUTVALUE(1'b0), .SCLK(1'b0), .SDI(1'b0), .SDO());
`else
    localparam [15:0] DIV = 16'd103;   // 12 MHz / 104
    assign clk = clk12m;
    assign locked = 1'b1;
`endif

    reg [7:0] por = 8'd0;
    wire      rst = ~por[7];
    always @(posedge clk)
        if (!locked) por <= 8'd0;
        else if (!por[7]) por <= por + 8'd1;

    wire ds_tx;
    bm13xx_chip #(.LANES(LANES), .DIV_INIT(DIV)) u_chip (
        .clk(clk), .rst(rst), .us_rx(rx), .us_tx(tx), .ds_tx(ds_tx), .ds_rx(1'b1));

    assign led = {6'd0, ~ds_tx, rst};
endmodule
