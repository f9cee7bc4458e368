// SPDX-License-Identifier: MIT
// One SHA-256 round (FIPS 180-4, 6.2.2 step 3), combinational. kw = K[t] + W[t], added
// ahead of time by the caller (one adder off the round's critical path).
`default_nettype none

module sha256_round (
    input  wire [255:0] s_in,   // {a, b, c, d, e, f, g, h}, a in the top word
    input  wire [31:0]  kw,
    output wire [255:0] s_out
);
    wire [31:0] a = s_in[255:224], b = s_in[223:192], c = s_in[191:160], d = s_in[159:128];
    wire [31:0] e = s_in[127:96],  f = s_in[95:64],   g = s_in[63:32],    h = s_in[31:0];

    wire [31:0] big_s0 = {a[1:0], a[31:2]} ^ {a[12:0], a[31:13]} ^ {a[21:0], a[31:22]};
    wire [31:0] big_s1 = {e[5:0], e[31:6]} ^ {e[10:0], e[31:11]} ^ {e[24:0], e[31:25]};
    wire [31:0] ch     = (e & f) ^ (~e & g);
    wire [31:0] maj    = (a & b) ^ (a & c) ^ (b & c);
    wire [31:0] t1     = h + big_s1 + ch + kw;
    wire [31:0] t2     = big_s0 + maj;

    assign s_out = {t1 + t2, a, b, c, d + t1, e, f, g};
endmodule
