// SPDX-License-Identifier: MIT
// One SHA-256d lane of the nonce search engine: one round per clock, 130 clocks per
// nonce (docs/fpga.md has the cycle table). All lanes run in lock step from the
// engine's shared sequencer; a lane holds only what differs between nonces:
// - the working state a..h (b..d and f..h are plain shifts of a and e);
// - kw = K[t] + W[t], added one clock ahead of the round;
// - the message schedule as a stream: W[t] in a register, W[t-1] in another, and the
//   two long taps W[t-7] and W[t-15] (then W[t-16]) read back from two 256 x 32
//   delay memories (block RAM) written with W[t] every clock, so no 16-word register
//   file and no wide multiplexer: the only choice is "next word from the schedule or
//   from the message";
// - the first hash's output words: its last four a and e values are parked in the
//   same memories (the slots of W[62..65], which no tap reads) and read back in the
//   order the second hash's message needs them, each plus its midstate word.
`default_nettype none

module sha256d_lane #(
    parameter [3:0] LANE_ID = 4'd0
) (
    input  wire         clk,
    // shared control from the engine's sequencer
    input  wire         ld_state,    // a <= src_a, e <= src_e, b..d / f..h shift
    input  wire [31:0]  src_a,
    input  wire [31:0]  src_e,
    input  wire         iv_load,     // state <= SHA-256 IV (second hash)
    input  wire [31:0]  k,           // K for the word in w
    input  wire         sel_sched,   // next word from the schedule, else msg + x
    input  wire [31:0]  msg,         // shared message word (padding, tail, midstate)
    input  wire         sel_p,       // x = parked value from memory P
    input  wire         sel_q,       // x = parked value from memory Q
    input  wire         sel_lane,    // x = this lane's id in nonce bits 31..28
    input  wire         park,        // write a (P) and e (Q) instead of w
    input  wire [7:0]   waddr,
    input  wire [7:0]   raddr_p,
    input  wire [7:0]   raddr_q,
    // per-lane result
    output wire [31:0]  e_out,
    output wire [63:0]  state_out    // a, e
);
    localparam [255:0] IV = 256'h6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19;
    localparam [31:0] IV_C = IV[191:160], IV_D = IV[159:128];
    localparam [31:0] IV_G = IV[63:32],   IV_H = IV[31:0];
    localparam [31:0] IV_DH = IV_D + IV_H;

    // The working state without d and h: they are only ever added, d + h + kw into the
    // new e and h + kw into the new a, and they are c and g one round late, so the sums
    // are formed a clock ahead: p = h + kw and q = d + h + kw for the round now running
    // (cg = c + g, one clock earlier still, keeps q to two adders). The round itself
    // is then e' = q + t and a' = p + t + S0(a) + Maj, t = S1(e) + Ch(e, f, g): one
    // adder less on each path than h + S1 + Ch + kw (+ d, + S0 + Maj), and 64 plain
    // flip-flops (a logic cell each on iCE40) fewer.
    reg  [31:0]  a, b, c, e, f, g, p, q, cg;
    reg  [31:0]  w, wd1, p1;
    wire [31:0]  rd_p, rd_q;
    wire [31:0]  w_sched;

    wire [31:0] big_s0 = {a[1:0], a[31:2]} ^ {a[12:0], a[31:13]} ^ {a[21:0], a[31:22]};
    wire [31:0] big_s1 = {e[5:0], e[31:6]} ^ {e[10:0], e[31:11]} ^ {e[24:0], e[31:25]};
    wire [31:0] ch     = (e & f) ^ (~e & g);
    wire [31:0] maj    = (a & b) ^ (a & c) ^ (b & c);
    wire [31:0] t      = big_s1 + ch;
    wire [31:0] kw_next = w + k;         // K[t] + W[t] of the next round

    sha256_wnext u_wnext (.w2(wd1), .w7(rd_q), .w15(rd_p), .w16(p1), .w(w_sched));

    ram_1w1r #(.WIDTH(32)) u_p (.clk(clk), .we(1'b1), .waddr(waddr),
        .wdata(park ? a : w), .raddr(raddr_p), .rdata(rd_p));
    ram_1w1r #(.WIDTH(32)) u_q (.clk(clk), .we(1'b1), .waddr(waddr),
        .wdata(park ? e : w), .raddr(raddr_q), .rdata(rd_q));

    wire [31:0] x = sel_p ? rd_p : sel_q ? rd_q : sel_lane ? {LANE_ID, 28'd0} : 32'd0;

    always @(posedge clk) begin
        wd1 <= w;
        p1  <= rd_p;
        w   <= sel_sched ? w_sched : msg + x;
        a   <= ld_state ? src_a : p + t + big_s0 + maj;
        e   <= ld_state ? src_e : q + t;
        p   <= g + kw_next;
        q   <= cg + kw_next;
        // iv_load comes the clock before the last IV word is loaded through src_a/src_e:
        // b, c, f, g take the IV words that shift into c, d, g, h one clock later, so
        // that p and q for the second hash's round 0 come out as IV h + kw, IV d + h + kw.
        if (iv_load) begin
            b  <= IV_C;
            c  <= IV_D;
            f  <= IV_G;
            g  <= IV_H;
            cg <= IV_DH;
        end else begin
            b  <= a;
            c  <= b;
            f  <= e;
            g  <= f;
            cg <= b + f;
        end
    end

    assign e_out     = e;
    assign state_out = {a, e};
endmodule
