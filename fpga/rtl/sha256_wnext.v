// SPDX-License-Identifier: MIT
// Message expansion step: W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16]
// (FIPS 180-4, 6.2.2 step 1), combinational.
`default_nettype none

module sha256_wnext (
    input  wire [31:0] w2,   // W[t-2]
    input  wire [31:0] w7,   // W[t-7]
    input  wire [31:0] w15,  // W[t-15]
    input  wire [31:0] w16,  // W[t-16]
    output wire [31:0] w
);
    wire [31:0] s0 = {w15[6:0], w15[31:7]} ^ {w15[17:0], w15[31:18]} ^ {3'b000, w15[31:3]};
    wire [31:0] s1 = {w2[16:0], w2[31:17]} ^ {w2[18:0], w2[31:19]} ^ {10'b0, w2[31:10]};
    assign w = s1 + w7 + s0 + w16;
endmodule
