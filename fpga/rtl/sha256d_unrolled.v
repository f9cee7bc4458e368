// SPDX-License-Identifier: MIT
// Fully unrolled SHA-256d: two sha256_core instances with STAGES = 64 (one round per
// pipeline stage), one nonce per clock. The area reference for docs/fpga.md: it does
// not fit an iCE40 (yosys gives its size); the HX8K build uses sha256d_engine instead.
// The nonce word counts up from nonce_first every clock while run is high; a hit is
// (H7 & h7_mask) == 0, reported with the nonce word that produced it.
`default_nettype none

module sha256d_unrolled (
    input  wire         clk,
    input  wire         rst,
    input  wire         run,
    input  wire [255:0] midstate,
    input  wire [95:0]  tail,
    input  wire [31:0]  nonce_first,
    input  wire [31:0]  h7_mask,
    output reg          hit,
    output reg  [31:0]  hit_nonce
);
    localparam [255:0] IV = 256'h6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19;
    localparam [31:0]  LATENCY = 32'd130;   // 65 clocks per core: 64 rounds, feed-forward

    reg  [31:0] nonce;
    wire        v1, v2, r1, r2;
    wire [255:0] h1, h2;

    always @(posedge clk)
        if (rst || !run) nonce <= nonce_first;
        else nonce <= nonce + 32'd1;

    sha256_core #(.STAGES(64), .HIN_CONST(1)) u_first (
        .clk(clk), .rst(rst), .in_valid(run && !rst), .in_ready(r1), .in_hin(midstate),
        .in_block({tail, nonce, 32'h80000000, 320'd0, 32'd640}),
        .out_valid(v1), .out_digest(h1));
    sha256_core #(.STAGES(64), .HIN_CONST(1)) u_second (
        .clk(clk), .rst(rst), .in_valid(v1), .in_ready(r2), .in_hin(IV),
        .in_block({h1, 32'h80000000, 192'd0, 32'd256}),
        .out_valid(v2), .out_digest(h2));

    always @(posedge clk) begin
        hit       <= v2 && ((h2[31:0] & h7_mask) == 32'd0);
        hit_nonce <= nonce - LATENCY;
    end

    /* verilator lint_off UNUSEDSIGNAL */
    wire unused = &{1'b0, r1, r2, h2[255:32]};
    /* verilator lint_on UNUSEDSIGNAL */
endmodule
