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
    output wire [255:0] state_out
);
    localparam [255:0] IV = 256'h6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19;

    reg  [255:0] st;
    reg  [31:0]  w, wd1, kw, p1;
    wire [31:0]  rd_p, rd_q;
    wire [255:0] st_next;
    wire [31:0]  w_sched;

    sha256_round u_round (.s_in(st), .kw(kw), .s_out(st_next));
    sha256_wnext u_wnext (.w2(wd1), .w7(rd_q), .w15(rd_p), .w16(p1), .w(w_sched));

    ram_1w1r #(.WIDTH(32)) u_p (.clk(clk), .we(1'b1), .waddr(waddr),
        .wdata(park ? st[255:224] : w), .raddr(raddr_p), .rdata(rd_p));
    ram_1w1r #(.WIDTH(32)) u_q (.clk(clk), .we(1'b1), .waddr(waddr),
        .wdata(park ? st[127:96] : w), .raddr(raddr_q), .rdata(rd_q));

    wire [31:0] x = sel_p ? rd_p : sel_q ? rd_q : sel_lane ? {LANE_ID, 28'd0} : 32'd0;

    always @(posedge clk) begin
        wd1 <= w;
        p1  <= rd_p;
        kw  <= w + k;
        w   <= sel_sched ? w_sched : msg + x;
        if (iv_load)
            st <= IV;
        else if (ld_state)
            st <= {src_a, st[255:160], src_e, st[127:32]};
        else
            st <= st_next;
    end

    assign e_out     = st[127:96];
    assign state_out = st;
endmodule
