// SPDX-License-Identifier: MIT
// SHA-256 compression core, parameterised from iterative to fully unrolled.
//
// STAGES pipeline stages (a generate loop), each running 64 / STAGES rounds, one round
// per clock. STAGES = 1 is the iterative core (one block per 64 clocks), STAGES = 64 the
// fully unrolled one (one block per clock). Every stage keeps the 16-word message window
// as a shift register: W[t+16] enters at the top while W[t] leaves at the bottom, so the
// schedule needs no wide feedback multiplexer, only the load-or-shift choice that sits in
// each flip-flop's own LUT.
//
// The block is accepted when in_ready is high (every 64 / STAGES clocks), the digest
// comes out STAGES x (64 / STAGES) clocks later with out_valid for one clock.
// HIN_CONST = 1 does not carry the chaining value through the pipeline but adds
// in_hin at the output: for miners, whose chaining value (midstate or IV) is fixed per job.
`default_nettype none

module sha256_core #(
    parameter STAGES    = 1,
    parameter HIN_CONST = 0
) (
    input  wire         clk,
    input  wire         rst,
    input  wire         in_valid,
    output wire         in_ready,
    input  wire [255:0] in_hin,     // chaining value H0..H7, H0 in the top word
    input  wire [511:0] in_block,   // W0..W15, W0 in the top word
    output reg          out_valid,
    output reg  [255:0] out_digest
);
    localparam NR = 64 / STAGES;              // rounds per stage
    localparam integer LASTI = NR - 1;
    localparam [5:0]   LAST  = LASTI[5:0];

    // One step of the whole pipeline every NR clocks.
    reg  [5:0] cnt;
    wire       step = (cnt == LAST);
    assign in_ready = step;

    always @(posedge clk) begin
        if (rst || NR == 1)
            cnt <= 6'd0;
        else
            cnt <= step ? 6'd0 : cnt + 6'd1;
    end

    // Stage s: registers at the start of its round, and the result of that round.
    wire [255:0] hin_q [0:STAGES];
    wire         vld_q [0:STAGES];
    wire [255:0] st_d  [0:STAGES-1];
    wire [511:0] win_d [0:STAGES-1];

    genvar s;
    generate
        for (s = 0; s < STAGES; s = s + 1) begin : g_stage
            reg [255:0] st;
            reg [511:0] win;
            reg         vld;
            wire [31:0] k;
            wire [31:0] wnew;
            localparam integer BASEI = s * NR;
            localparam [5:0]   BASE  = BASEI[5:0];
            wire [5:0]  ridx = BASE + cnt;

            sha256_k     u_k (.idx(ridx), .k(k));
            sha256_round u_round (.s_in(st), .kw(k + win[511:480]), .s_out(st_d[s]));
            sha256_wnext u_w (.w2(win[63:32]), .w7(win[223:192]), .w15(win[479:448]),
                              .w16(win[511:480]), .w(wnew));
            assign win_d[s] = {win[479:0], wnew};

            // Stage 0 loads the new block; stage s > 0 takes stage s-1's last round.
            wire [255:0] src_st  = (s == 0) ? in_hin   : st_d[(s == 0) ? 0 : s - 1];
            wire [511:0] src_win = (s == 0) ? in_block : win_d[(s == 0) ? 0 : s - 1];
            wire         src_vld = (s == 0) ? in_valid : vld_q[s];

            always @(posedge clk) begin
                if (step) begin
                    st  <= src_st;
                    win <= src_win;
                end else begin
                    st  <= st_d[s];
                    win <= win_d[s];
                end
                if (rst)
                    vld <= 1'b0;
                else if (step)
                    vld <= src_vld;
            end
            assign vld_q[s + 1] = vld;

            if (HIN_CONST == 0) begin : g_hin
                reg [255:0] hin;
                wire [255:0] src_hin = (s == 0) ? in_hin : hin_q[(s == 0) ? 0 : s];
                always @(posedge clk)
                    if (step)
                        hin <= src_hin;
                assign hin_q[s + 1] = hin;
            end else begin : g_nohin
                assign hin_q[s + 1] = in_hin;
            end
        end
    endgenerate
    assign vld_q[0] = in_valid;
    assign hin_q[0] = in_hin;

    // Feed-forward add (FIPS 180-4, 6.2.2 step 4), registered.
    wire [255:0] fin = st_d[STAGES-1];
    wire [255:0] hf  = hin_q[STAGES];
    genvar i;
    generate
        for (i = 0; i < 8; i = i + 1) begin : g_ff
            always @(posedge clk)
                out_digest[32*i +: 32] <= fin[32*i +: 32] + hf[32*i +: 32];
        end
    endgenerate
    always @(posedge clk)
        out_valid <= !rst && step && vld_q[STAGES];
endmodule
