// SPDX-License-Identifier: MIT
// SHA-256d nonce search engine: LANES lanes in lock step (sha256d_lane), one shared
// sequencer, hits out through valid/ready.
//
// Job inputs (held stable by the caller while busy): the midstate (SHA-256 state after
// the header's first 64 bytes, H0 in the top word), the header tail (bytes 64..75: merkle
// tail, ntime, nbits, as message words W0..W2), a nonce range and a mask on H7.
//
// Nonce word = message word 3 = the header's nonce bytes read big-endian (the chips'
// bit numbering): bits 31..28 are the lane id, bits 27..0 count from nonce_first up to
// nonce_last. A hit is reported when (H7 & h7_mask) == 0, H7 being the last word of the
// double hash (the one that is zero for a share of difficulty >= 1; mask all ones).
// h7_mask bits 7..0 are free; bits 31..8 are used per byte (bit 8, 16, 24 of each
// byte decides): 0x000000FF .. 0xFFFFFFFF in whole bytes above the low one.
//
// Per job, once: rounds 0..2 of the header's second block (they use only W0..W2, the
// tail) run on lane 0 and their state S2 is kept; every nonce starts at round 3.
// Per nonce: 4 clocks load S2, rounds 3..63 (61 clocks), 3 clocks of park and fetch,
// 1 IV load, rounds 0..60 of the second hash (61 clocks): 4 + 61 + 3 + 1 + 61 = 130.
// The second hash stops after round 60: H7 = IV7 + h64, and h64 = g63 = f62 = e61, the e produced by
// round 60, so rounds 61..63 and the other seven final additions cannot change H7.
// For difficulty 1 the test is e61 == 0xa41f32e7 (= -IV7 mod 2^32).
`default_nettype none

module sha256d_engine #(
    parameter LANES = 2                // 1..16
) (
    input  wire         clk,
    input  wire         rst,
    input  wire         start,         // pulse: run the job below
    input  wire         cancel,         // pulse: stop now, drop what is in flight
    input  wire [255:0] midstate,      // the caller rotates it on mid_rotate (below)
    input  wire [95:0]  tail,
    input  wire [27:0]  nonce_first,
    input  wire [27:0]  nonce_last,
    input  wire [31:0]  h7_mask,
    output wire         busy,
    // The caller's midstate register turns one word left (word 0 := word 1, ..,
    // word 7 := word 0) on each clock with mid_rotate, eight times per nonce, so the
    // engine reads the second hash's midstate words at one place, word 0 (no 8:1
    // multiplexer); after the eight turns the register is as it was.
    output wire         mid_rotate,
    output wire         hit_valid,
    output wire [31:0]  hit_nonce,
    input  wire         hit_ready,
    output reg  [7:0]   hits_dropped
);
    localparam [31:0] IV7  = 32'h5be0cd19;
    localparam [31:0] NIV7 = 32'ha41f32e7;   // -IV7 mod 2^32
    localparam [31:0] IV_A = 32'h6a09e667, IV_B = 32'hbb67ae85;
    localparam [31:0] IV_E = 32'h510e527f, IV_F = 32'h9b05688c;
    localparam [7:0]  PERIOD = 8'd130;

    localparam [1:0] S_IDLE = 2'd0, S_PRE = 2'd1, S_RUN = 2'd2;
    reg  [1:0] state;
    reg  [7:0] c;          // cycle in the period (RUN) or in the precompute (PRE)
    reg  [5:0] ki;         // K index for the word in the lanes' w one clock later (the
                           // K ROM is a registered block RAM)
    reg  [27:0] cnt, cnt_prev;
    reg        prev_valid; // the period that just ended hashed a real nonce
    reg        stopping;   // the last nonce is in flight: check it, then stop

    wire pre = (state == S_PRE);
    wire run = (state == S_RUN);

    // ---- shared control, decoded from the cycle number -------------------------------
    // Decoded a clock ahead from the sequencer's next phase and cycle and registered, so
    // that no compare on c stands in front of the lanes' message adders (it was the
    // critical path). The data buses are AND-OR multiplexers on registered selects.
    reg  [1:0] state_n;
    reg  [7:0] c_n;
    wire last_cycle = run && (c == PERIOD - 8'd1);
    always @(*) begin
        state_n = state;
        c_n = c;
        if (rst || cancel) begin
            state_n = S_IDLE;
            c_n = 8'd0;
        end else if (start) begin
            state_n = S_PRE;
            c_n = 8'd0;
        end else if (pre) begin
            c_n = c + 8'd1;
            if (c == 8'd7) begin
                state_n = S_RUN;
                c_n = 8'd0;
            end
        end else if (run) begin
            c_n = last_cycle ? 8'd0 : c + 8'd1;
            if (c == 8'd0 && stopping)
                state_n = S_IDLE;
        end
    end
    wire pre_n = (state_n == S_PRE);
    wire run_n = (state_n == S_RUN);

    // msg sources: tail words 0..2, the nonce counter, 0x80000000, 640, 256, midstate
    localparam M_T0 = 0, M_T1 = 1, M_T2 = 2, M_CNT = 3, M_PAD = 4, M_640 = 5, M_256 = 6,
               M_MID = 7;
    // src_a / src_e sources: midstate word pairs 3/7, 2/6, 1/5, 0/4, IV b/f, IV a/e, s2
    localparam S_M0 = 0, S_M1 = 1, S_M2 = 2, S_M3 = 3, S_IVB = 4, S_IVA = 5, S_S2 = 6;
    reg        d_ld, d_iv, d_sched, d_p, d_q, d_lane, d_park, d_rot;
    reg [7:0]  d_msg;
    reg [6:0]  d_src;
    reg [7:0]  d_rp, d_rq, d_wa;
    reg [1:0]  d_s2ra;
    reg        d_s2we;
    always @(*) begin
        d_ld = 1'b0; d_iv = 1'b0; d_sched = 1'b0; d_p = 1'b0; d_q = 1'b0; d_lane = 1'b0;
        d_park = 1'b0; d_rot = 1'b0;
        d_msg = 8'd0;
        d_src = 7'd0;
        d_src[S_S2] = 1'b1;
        d_s2ra = 2'd0;           // S2's word pairs for RUN 0..3, read a clock ahead
        d_s2we = pre_n && (c_n >= 8'd4);
        d_rp = c_n - 8'd13;
        d_rq = c_n - 8'd5;
        d_wa = c_n;
        if (pre_n) begin
            // pc 0..3 load the midstate; W0..W2 computed at pc 2..4 (in w at 3..5);
            // rounds 0..2 at pc 4..6; pc 7 keeps S2 and computes the first W0.
            d_ld = (c_n < 8'd4);
            d_src = 7'd0;        // 4:1, not 8:1: a from words 3..0, e from words 7..4
            d_src[{1'b0, c_n[1:0]}] = 1'b1;
            case (c_n)
                8'd2, 8'd7: d_msg[M_T0] = 1'b1;
                8'd3:       d_msg[M_T1] = 1'b1;
                8'd4:       d_msg[M_T2] = 1'b1;
                default: ;
            endcase
        end else if (run_n) begin
            // The IV goes in at 67 and 68 (the lane's b, c, f, g at 67, a and e through
            // src_a/src_e at 67 and 68), so that its sums for round 0 are ready at 69.
            d_ld    = (c_n < 8'd4) || (c_n == 8'd67) || (c_n == 8'd68);
            d_iv    = (c_n == 8'd67);
            if (c_n == 8'd67) begin d_src = 7'd0; d_src[S_IVB] = 1'b1; end
            if (c_n == 8'd68) begin d_src = 7'd0; d_src[S_IVA] = 1'b1; end
            d_park  = (c_n >= 8'd62) && (c_n <= 8'd65);
            d_sched = ((c_n >= 8'd15) && (c_n <= 8'd62)) || ((c_n >= 8'd83) && (c_n <= 8'd127));
            d_p     = (c_n >= 8'd67) && (c_n <= 8'd70);
            d_q     = (c_n >= 8'd71) && (c_n <= 8'd74);
            d_lane  = (c_n == 8'd2);
            if (c_n < 8'd3) d_s2ra = c_n[1:0] + 2'd1;
            d_rot   = (c_n >= 8'd67) && (c_n <= 8'd74);
            if (d_park) d_wa = 8'hF0 + (c_n - 8'd62);     // a60..a63 / e60..e63 at F0..F3
            if (c_n >= 8'd66 && c_n <= 8'd69) d_rp = 8'hF3 - (c_n - 8'd66);
            if (c_n >= 8'd70 && c_n <= 8'd73) d_rq = 8'hF3 - (c_n - 8'd70);
            case (c_n)
                8'd129: d_msg[M_T0]  = 1'b1;      // W0 of the next nonce
                8'd0:   d_msg[M_T1]  = 1'b1;      // W1
                8'd1:   d_msg[M_T2]  = 1'b1;      // W2
                8'd2:   d_msg[M_CNT] = 1'b1;      // W3: the nonce (lane id added per lane)
                8'd3:   d_msg[M_PAD] = 1'b1;      // W4: padding
                8'd14:  d_msg[M_640] = 1'b1;      // W15: 80-byte message
                8'd75:  d_msg[M_PAD] = 1'b1;      // W8 of the second hash
                8'd82:  d_msg[M_256] = 1'b1;      // W15 of the second hash: 32 bytes
                default: d_msg[M_MID] = (c_n >= 8'd67) && (c_n <= 8'd74);  // H1 = midstate + S63
            endcase
        end
    end

    reg        ld_state, iv_load, sel_sched, sel_p, sel_q, sel_lane, park, rot;
    reg [7:0]  msel;
    reg [6:0]  ssel;
    reg [7:0]  raddr_p, raddr_q, waddr;
    reg [1:0]  s2_ra, s2_wa;
    reg        s2_we;
    always @(posedge clk) begin
        s2_ra <= d_s2ra; s2_we <= d_s2we; s2_wa <= c_n[1:0];
        ld_state <= d_ld; iv_load <= d_iv; sel_sched <= d_sched; sel_p <= d_p;
        sel_q <= d_q; sel_lane <= d_lane; park <= d_park; rot <= d_rot;
        msel <= d_msg; ssel <= d_src;
        raddr_p <= d_rp; raddr_q <= d_rq; waddr <= d_wa;
    end

    wire [31:0] msg =
        ({32{msel[M_T0]}}  & tail[95:64]) | ({32{msel[M_T1]}} & tail[63:32]) |
        ({32{msel[M_T2]}}  & tail[31:0])  | ({32{msel[M_CNT]}} & {4'd0, cnt}) |
        ({32{msel[M_PAD]}} & 32'h80000000) | ({32{msel[M_640]}} & 32'd640) |
        ({32{msel[M_256]}} & 32'd256)      | ({32{msel[M_MID]}} & midstate[255:224]);
    wire [31:0] src_a =
        ({32{ssel[S_M0]}}  & midstate[159:128]) | ({32{ssel[S_M1]}} & midstate[191:160]) |
        ({32{ssel[S_M2]}}  & midstate[223:192]) | ({32{ssel[S_M3]}} & midstate[255:224]) |
        ({32{ssel[S_IVB]}} & IV_B) | ({32{ssel[S_IVA]}} & IV_A) |
        ({32{ssel[S_S2]}}  & s2_rd[63:32]);
    wire [31:0] src_e =
        ({32{ssel[S_M0]}}  & midstate[31:0])  | ({32{ssel[S_M1]}} & midstate[63:32]) |
        ({32{ssel[S_M2]}}  & midstate[95:64]) | ({32{ssel[S_M3]}} & midstate[127:96]) |
        ({32{ssel[S_IVB]}} & IV_F) | ({32{ssel[S_IVA]}} & IV_E) |
        ({32{ssel[S_S2]}}  & s2_rd[31:0]);
    // S2, the state after rounds 0..2, as the four (a, e) pairs the lanes load in RUN
    // 0..3: (d, h), (c, g), (b, f), (a, e). They are lane 0's own a and e during the
    // precompute's pc 4..7 (midstate words 0 and 4, then A0/E0, A1/E1, A2/E2), written
    // as they appear: a block RAM, no 256-bit register and no multiplexer.
    wire [63:0] s2_rd;
    ram_1w1r #(.WIDTH(64)) u_s2 (.clk(clk), .we(s2_we), .waddr({6'd0, s2_wa}),
        .wdata(st_lane0), .raddr({6'd0, s2_ra}), .rdata(s2_rd));

    wire [31:0] k;
    sha256_k_sync u_k (.clk(clk), .idx(ki), .k(k));

    // ---- lanes ------------------------------------------------------------------------
    wire [31:0]  e_lane [0:LANES-1];
    wire [63:0]  st_lane0;   // lane 0's a and e
    wire [LANES-1:0] hit_now;
    genvar l;
    generate
        for (l = 0; l < LANES; l = l + 1) begin : g_lane
            /* verilator lint_off UNUSEDSIGNAL */
            wire [63:0] st_l;      // lane 0's a and e make S2 in the precompute
            /* verilator lint_on UNUSEDSIGNAL */
            sha256d_lane #(.LANE_ID(l[3:0])) u_lane (
                .clk(clk), .ld_state(ld_state), .src_a(src_a), .src_e(src_e),
                .iv_load(iv_load), .k(k), .sel_sched(sel_sched), .msg(msg),
                .sel_p(sel_p), .sel_q(sel_q), .sel_lane(sel_lane), .park(park),
                .waddr(waddr), .raddr_p(raddr_p), .raddr_q(raddr_q),
                .e_out(e_lane[l]), .state_out(st_l));
            // e after round 60 of the second hash is h64: H7 = IV7 + e. The low byte of
            // H7 (the hash's top byte) is added and masked bit by bit; the bytes above
            // are all-or-nothing (mask byte 0xFF or 0x00): H7's low 8k bits are zero
            // exactly when e's low 8k bits equal those of -IV7, a constant compare.
            wire [7:0] h7_lo = e_lane[l][7:0] + IV7[7:0];
            assign hit_now[l] = ((h7_lo & h7_mask[7:0]) == 8'd0) &&
                (!h7_mask[8]  || e_lane[l][15:8]  == NIV7[15:8]) &&
                (!h7_mask[16] || e_lane[l][23:16] == NIV7[23:16]) &&
                (!h7_mask[24] || e_lane[l][31:24] == NIV7[31:24]);
            if (l == 0) begin : g_s2
                assign st_lane0 = st_l;
            end
        end
    endgenerate

    // ---- sequencer --------------------------------------------------------------------
    always @(posedge clk) begin
        state <= state_n;
        c <= c_n;
        if (rst || cancel) begin
            prev_valid <= 1'b0;
            stopping <= 1'b0;
        end else if (start) begin
            ki <= 6'd62;        // K[0] for W0 at pc 3, ROM read at pc 2
            cnt <= nonce_first;
            prev_valid <= 1'b0;
            stopping <= 1'b0;
        end else begin
            ki <= ki + 6'd1;
            case (state)
                S_PRE: begin
                    if (c == 8'd6)
                        ki <= 6'd0;
                    if (c == 8'd7)
                        ki <= 6'd1;
                end
                S_RUN: begin
                    if (c == 8'd66 || c == 8'd128)
                        ki <= 6'd0;
                    if (c == 8'd0 && stopping)
                        prev_valid <= 1'b0;
                    if (last_cycle) begin
                        ki <= 6'd1;
                        cnt_prev <= cnt;
                        cnt <= cnt + 28'd1;
                        prev_valid <= 1'b1;
                        if (cnt == nonce_last)
                            stopping <= 1'b1;
                    end
                end
                default: ;
            endcase
        end
    end
    assign busy = (state != S_IDLE);
    assign mid_rotate = rot;
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_mask = &{1'b0, h7_mask[31:25], h7_mask[23:17], h7_mask[15:9]};
    /* verilator lint_on UNUSEDSIGNAL */

    // ---- hits: taken at cycle 0 of a period for the nonce of the period before --------
    reg [LANES-1:0] pend;
    reg [27:0]      pend_nonce;
    wire            take = run && (c == 8'd0) && prev_valid;
    reg  [3:0]      first_lane;
    reg  [LANES-1:0] first_bit;
    integer i;
    always @(*) begin
        first_lane = 4'd0;
        first_bit = {LANES{1'b0}};
        for (i = LANES - 1; i >= 0; i = i - 1)
            if (pend[i]) begin
                first_lane = i[3:0];
                first_bit = {LANES{1'b0}};
                first_bit[i] = 1'b1;
            end
    end
    assign hit_valid = |pend;
    assign hit_nonce = {first_lane, pend_nonce};

    always @(posedge clk) begin
        if (rst || cancel) begin
            pend <= {LANES{1'b0}};
            hits_dropped <= 8'd0;
        end else if (take) begin
            if (|pend && hits_dropped != 8'hFF)
                hits_dropped <= hits_dropped + 8'd1;
            pend <= hit_now;
            pend_nonce <= cnt_prev;
        end else if (hit_valid && hit_ready) begin
            pend <= pend & ~first_bit;
        end
    end
endmodule
