// SPDX-License-Identifier: MIT
// One BM13xx-framed chip on a daisy chain: the FPGA prototype's own family, "HBFP"
// (chip id 0x1FA1). docs/fpga.md lists its registers and nonce layout.
//
//   us_rx / us_tx  upstream side (host, or the chip before this one)
//   ds_tx / ds_rx  downstream side (the next chip; tie ds_rx high on the last one)
//
// Every byte from upstream is relayed downstream one byte later; a set-address frame
// this chip takes goes on with its CRC byte inverted, so the chips below drop it (the
// BM13xx rule: after chain inactive each chip takes the first address it sees).
// Replies from downstream are collected frame by frame (AA 55 + 7 bytes) and sent up
// between this chip's own replies, never interleaved with them.
`default_nettype none

module bm13xx_chip #(
    parameter        LANES    = 2,
    parameter [15:0] CHIP_ID  = 16'h1FA1,
    parameter [15:0] DIV_INIT = 16'd103        // clocks per bit - 1 after reset
) (
    input  wire clk,
    input  wire rst,
    input  wire us_rx,
    output wire us_tx,
    output wire ds_tx,
    input  wire ds_rx
);
    localparam [31:0] NAME    = 32'h48424650;  // "HBFP"
    localparam [31:0] VERSION = 32'h00010000;  // 1.0

    // ---- registers --------------------------------------------------------------------
    reg [7:0]  address;
    reg        addressed, inactive;
    reg [31:0] r_pll0, r_ticket, r_misc, r_core;
    reg [15:0] baud_div;
    reg [15:0] baud_next;      // a written divisor waits until the relay is idle
    reg        baud_pend;
    reg [19:0] r_last;         // 0xE0: last counter value of a job's range
    wire [7:0] hits_dropped;

    // ---- UARTs --------------------------------------------------------------------------
    wire       urx_valid;
    wire [7:0] urx_data;
    uart_rx u_urx (.clk(clk), .rst(rst), .div(baud_div), .rx(us_rx), .valid(urx_valid), .data(urx_data));

    wire       drx_valid;
    wire [7:0] drx_data;
    uart_rx u_drx (.clk(clk), .rst(rst), .div(baud_div), .rx(ds_rx), .valid(drx_valid), .data(drx_data));

    // ---- host frame parser ------------------------------------------------------------
    localparam [2:0] P_55 = 3'd0, P_AA = 3'd1, P_HDR = 3'd2, P_LEN = 3'd3, P_BODY = 3'd4;
    reg [2:0]  pst;
    reg [7:0]  hdr, len, idx;
    reg [4:0]  crc5;
    reg [15:0] crc16;
    reg [47:0] cdata;          // command data, first byte in the top
    reg [7:0]  crc16_hi;
    wire       is_job = (hdr[7:5] == 3'b001);
    wire [4:0] crc5_next;
    wire [15:0] crc16_next;
    bm13xx_crc5_byte  u_c5 (.crc_in(crc5), .data(urx_data), .nbits(4'd8), .crc_out(crc5_next));
    bm13xx_crc16_byte u_c16 (.crc_in(crc16), .data(urx_data), .crc_out(crc16_next));

    // Where the current body byte is.
    wire [7:0] ndata  = is_job ? len - 8'd4 : len - 8'd3;
    wire       in_body = (pst == P_BODY);
    wire       b_data = in_body && (idx < ndata);
    wire       b_last = in_body && (idx == len - 8'd3);
    wire       cmd_ok = b_last && !is_job && (urx_data == {3'b000, crc5});
    wire       job_ok = b_last && is_job && ({crc16_hi, urx_data} == crc16);
    wire [3:0] cmd = hdr[3:0];
    wire       bcast = hdr[4];
    // Command data bytes as they sit once the CRC byte arrives.
    wire [7:0] d0 = (cmd == 4'd1) ? cdata[47:40] : cdata[15:8];
    wire [7:0] d1 = (cmd == 4'd1) ? cdata[39:32] : cdata[7:0];
    wire [31:0] wval = cdata[31:0];
    wire       for_me = bcast || (d0 == address);
    wire       take_addr = cmd_ok && cmd == 4'd0 && !(inactive && addressed);
    wire       swallow = take_addr && inactive;     // corrupt the relayed CRC byte

    // job RAM: two banks of 256 bytes, the parser fills one while the loader reads the other
    reg        wbank;
    wire [8:0] jr_addr;
    wire [7:0] jr_data;
    wire       jw_en = urx_valid && b_data && is_job;
    ram_1w1r #(.WIDTH(8)) u_jobram_lo (.clk(clk), .we(jw_en && !wbank), .waddr(idx),
        .wdata(urx_data), .raddr(jr_addr[7:0]), .rdata(jr_lo));
    ram_1w1r #(.WIDTH(8)) u_jobram_hi (.clk(clk), .we(jw_en && wbank), .waddr(idx),
        .wdata(urx_data), .raddr(jr_addr[7:0]), .rdata(jr_hi));
    wire [7:0] jr_lo, jr_hi;
    assign jr_data = jr_addr[8] ? jr_hi : jr_lo;  // rdata is registered; bank fixed during a load
    reg        job_commit;

    // register reply request
    reg        rr_pend;
    reg [7:0]  rr_reg;
    reg [31:0] rr_val;
    reg [31:0] rd_val;
    always @(*) begin
        case (d1)
            8'h00: rd_val = {CHIP_ID, LANES[7:0], address};
            8'h08: rd_val = r_pll0;
            8'h14: rd_val = r_ticket;
            8'h18: rd_val = r_misc;
            8'h28: rd_val = {16'd0, baud_pend ? baud_next : baud_div};
            8'h3C: rd_val = r_core;
            8'h4C: rd_val = {24'd0, hits_dropped};
            8'hE0: rd_val = {12'd0, r_last};
            8'hF0: rd_val = NAME;
            8'hF4: rd_val = VERSION;
            8'hF8: rd_val = {16'd0, 4'd4, 4'd8, LANES[7:0]};  // lane bits, address bits, lanes
            default: rd_val = 32'd0;
        endcase
    end
    wire rr_taken;

    always @(posedge clk) begin
        job_commit <= 1'b0;
        if (rst) begin
            pst <= P_55;
            address <= 8'd0;
            addressed <= 1'b0;
            inactive <= 1'b0;
            r_pll0 <= 32'd0;
            r_ticket <= 32'hFFFFFFFF;
            r_misc <= 32'd0;
            r_core <= 32'd0;
            baud_div <= DIV_INIT;
            baud_pend <= 1'b0;
            r_last <= 20'hFFFFF;
            rr_pend <= 1'b0;
            wbank <= 1'b0;
        end else begin
            if (rr_taken) rr_pend <= 1'b0;
            // The frame that changed the baud rate is still being relayed downstream at
            // the old rate: switch once it is out, so the next chip gets it whole.
            if (baud_pend && !dq_valid && dtx_ready && !urx_valid) begin
                baud_div <= baud_next;
                baud_pend <= 1'b0;
            end
            if (urx_valid) begin
                crc5  <= crc5_next;
                crc16 <= crc16_next;
                case (pst)
                    P_55: pst <= (urx_data == 8'h55) ? P_AA : P_55;
                    P_AA: pst <= (urx_data == 8'hAA) ? P_HDR : (urx_data == 8'h55) ? P_AA : P_55;
                    P_HDR: begin
                        hdr <= urx_data;
                        pst <= (urx_data[7:5] == 3'b010 || urx_data == 8'h21) ? P_LEN : P_55;
                        // the CRCs start with this byte
                        crc5  <= crc5_hdr;
                        crc16 <= crc16_hdr;
                    end
                    P_LEN: begin
                        len <= urx_data;
                        idx <= 8'd0;
                        if (is_job ? (urx_data >= 8'd6 && urx_data <= 8'd150)
                                   : (urx_data == 8'd5 || urx_data == 8'd9))
                            pst <= P_BODY;
                        else
                            pst <= P_55;
                    end
                    default: begin // P_BODY
                        idx <= idx + 8'd1;
                        if (b_data) cdata <= {cdata[39:0], urx_data};
                        if (idx == len - 8'd4) crc16_hi <= urx_data;
                        if (idx < ndata) begin
                            crc5 <= crc5_next;
                            crc16 <= crc16_next;
                        end else begin
                            crc5 <= crc5;
                            crc16 <= crc16;
                        end
                        if (b_last) begin
                            pst <= P_55;
                            if (job_ok) begin
                                job_commit <= 1'b1;
                                wbank <= ~wbank;
                            end
                            if (cmd_ok) begin
                                case (cmd)
                                    4'd0: if (take_addr) begin
                                        address <= d0;
                                        addressed <= 1'b1;
                                    end
                                    4'd1: if (for_me) begin
                                        case (d1)
                                            8'h08: r_pll0 <= wval;
                                            8'h14: r_ticket <= wval;
                                            8'h18: r_misc <= wval;
                                            8'h28: begin
                                                baud_next <= wval[15:0];
                                                baud_pend <= 1'b1;
                                            end
                                            8'h3C: r_core <= wval;
                                            8'hE0: r_last <= wval[19:0];
                                            default: ;
                                        endcase
                                    end
                                    4'd2: if (for_me) begin
                                        rr_pend <= 1'b1;
                                        rr_val <= rd_val;
                                        rr_reg <= d1;
                                    end
                                    4'd3: begin
                                        inactive <= 1'b1;
                                        addressed <= 1'b0;
                                    end
                                    default: ;
                                endcase
                            end
                        end
                    end
                endcase
            end
        end
    end
    wire [4:0]  crc5_hdr;
    wire [15:0] crc16_hdr;
    bm13xx_crc5_byte  u_c5h (.crc_in(5'h1F), .data(urx_data), .nbits(4'd8), .crc_out(crc5_hdr));
    bm13xx_crc16_byte u_c16h (.crc_in(16'hFFFF), .data(urx_data), .crc_out(crc16_hdr));

    // ---- relay downstream ---------------------------------------------------------------
    wire       dtx_ready, dq_valid, dq_in_ready;
    wire [7:0] dq_data;
    /* verilator lint_off UNUSEDSIGNAL */
    wire [2:0] dq_count;
    wire [5:0] uq_count;
    /* verilator lint_on UNUSEDSIGNAL */
    byte_fifo #(.AW(2)) u_dq (.clk(clk), .rst(rst), .in_valid(urx_valid),
        .in_data(urx_data ^ (swallow ? 8'hFF : 8'h00)), .in_ready(dq_in_ready),
        .out_valid(dq_valid), .out_data(dq_data), .out_ready(dtx_ready), .count(dq_count));
    uart_tx u_dtx (.clk(clk), .rst(rst), .div(baud_div), .valid(dq_valid), .data(dq_data),
        .ready(dtx_ready), .tx(ds_tx));

    // ---- job loader and engine ----------------------------------------------------------
    reg [7:0]   job_id, mcount, midx;
    reg [127:0] hdr_sh;        // nonce, nbits, ntime, merkle tail, each read big-endian
    reg [255:0] mid_sh;        // BE(h7) .. BE(h0) as sent
    reg         rbank;
    reg [7:0]   la, lend;      // load address, last address
    reg         lbusy, lvalid, lstart_pending;
    reg [7:0]   lidx;
    wire        e_busy, e_hit_valid, e_mid_rotate;
    wire [31:0] e_hit_nonce;
    reg         e_start, e_cancel;
    wire        hit_take;
    assign jr_addr = {rbank, la};

    wire [255:0] midstate;
    genvar gw;
    generate
        for (gw = 0; gw < 8; gw = gw + 1) begin : g_mid
            assign midstate[255 - 32 * gw -: 32] = mid_sh[32 * gw +: 32];
        end
    endgenerate
    wire [95:0] tail = {hdr_sh[31:0], hdr_sh[63:32], hdr_sh[95:64]};

    always @(posedge clk) begin
        e_start <= 1'b0;
        e_cancel <= 1'b0;
        if (rst) begin
            lbusy <= 1'b0;
            lvalid <= 1'b0;
            lstart_pending <= 1'b0;
            mcount <= 8'd0;
            midx <= 8'd0;
            rbank <= 1'b0;
        end else begin
            lvalid <= lbusy;
            lidx <= la;
            if (job_commit) begin
                e_cancel <= 1'b1;
                rbank <= ~wbank;       // the bank just filled (wbank flipped with the CRC byte)
                la <= 8'd0;
                lend <= 8'd49;
                lbusy <= 1'b1;
                lvalid <= 1'b0;
                midx <= 8'd0;
                lstart_pending <= 1'b0;
            end else if (lbusy) begin
                la <= la + 8'd1;
                if (la == lend) lbusy <= 1'b0;
            end
            if (lvalid) begin
                if (lidx == 8'd0) job_id <= jr_data;
                else if (lidx == 8'd1) mcount <= jr_data;
                else if (lidx < 8'd18) hdr_sh <= {hdr_sh[119:0], jr_data};
                else mid_sh <= {mid_sh[247:0], jr_data};
                if (!lbusy) lstart_pending <= 1'b1;  // last byte in
            end else if (e_mid_rotate) begin
                // the engine's word-0-left turn of midstate (word i = mid_sh slot i)
                mid_sh <= {mid_sh[31:0], mid_sh[255:32]};
            end
            if (lstart_pending && !lvalid) begin
                lstart_pending <= 1'b0;
                e_start <= 1'b1;
            end
            // next midstate once this one's range is done and its hits are out
            if (!job_commit && !lbusy && !lvalid && !lstart_pending && !e_start && !e_busy &&
                !e_hit_valid && midx + 8'd1 < mcount && mcount <= 8'd4) begin
                midx <= midx + 8'd1;
                la <= 8'd18 + {midx[2:0] + 3'd1, 5'd0};
                lend <= 8'd18 + {midx[2:0] + 3'd1, 5'd0} + 8'd31;
                lbusy <= 1'b1;
            end
        end
    end

    sha256d_engine #(.LANES(LANES)) u_engine (
        .clk(clk), .rst(rst), .start(e_start), .cancel(e_cancel), .midstate(midstate),
        .tail(tail), .nonce_first({address, hdr_sh[115:96]}), .nonce_last({address, r_last}),
        .h7_mask(r_ticket), .busy(e_busy), .hit_valid(e_hit_valid), .hit_nonce(e_hit_nonce),
        .hit_ready(hit_take), .hits_dropped(hits_dropped), .mid_rotate(e_mid_rotate));

    // ---- own replies --------------------------------------------------------------------
    reg        own_busy;
    reg [3:0]  own_i;
    reg [47:0] own_pl;
    reg        own_nonce;
    reg [4:0]  own_crc;
    wire       own_byte_take;
    assign rr_taken = !own_busy && rr_pend;
    assign hit_take = !own_busy && !rr_pend && e_hit_valid && !e_cancel;
    wire [7:0] own_pl_byte = own_pl[47:40];
    wire [4:0] own_crc_next, own_crc_last;
    bm13xx_crc5_byte u_oc (.crc_in(own_crc), .data(own_pl_byte), .nbits(4'd8), .crc_out(own_crc_next));
    bm13xx_crc5_byte u_ol (.crc_in(own_crc), .data({own_nonce, 7'd0}), .nbits(4'd3), .crc_out(own_crc_last));
    wire [7:0] own_byte = (own_i == 4'd0) ? 8'hAA : (own_i == 4'd1) ? 8'h55 :
                          (own_i == 4'd8) ? {own_nonce, 2'b00, own_crc_last} : own_pl_byte;

    always @(posedge clk) begin
        if (rst) begin
            own_busy <= 1'b0;
        end else if (!own_busy) begin
            if (rr_pend) begin
                own_busy <= 1'b1;
                own_i <= 4'd0;
                own_pl <= {rr_val, address, rr_reg};
                own_nonce <= 1'b0;
                own_crc <= 5'h1F;
            end else if (hit_take) begin
                own_busy <= 1'b1;
                own_i <= 4'd0;
                own_pl <= {e_hit_nonce, 6'd0, midx[1:0], job_id[7:2], midx[1:0]};
                own_nonce <= 1'b1;
                own_crc <= 5'h1F;
            end
        end else if (own_byte_take) begin
            own_i <= own_i + 4'd1;
            if (own_i >= 4'd2 && own_i <= 4'd7) begin
                own_pl <= {own_pl[39:0], 8'd0};
                own_crc <= own_crc_next;
            end
            if (own_i == 4'd8) own_busy <= 1'b0;
        end
    end

    // ---- downstream replies: framed into a FIFO ------------------------------------------
    // Only the 7 bytes after AA 55 are kept; the merge sends the preamble itself, and
    // starts a relayed frame only once all 7 bytes are in.
    reg [3:0] dfr_i;           // 0: want AA, 1: want 55, 2..8 body
    reg [2:0] frames_ready;
    wire      dfr_push = drx_valid && (dfr_i >= 4'd2);
    wire       uq_valid;
    wire [7:0] uq_data;
    wire       uq_take;
    reg        frame_done;
    always @(posedge clk) begin
        frame_done <= 1'b0;
        if (rst) begin
            dfr_i <= 4'd0;
        end else if (drx_valid) begin
            if (dfr_i == 4'd0) dfr_i <= (drx_data == 8'hAA) ? 4'd1 : 4'd0;
            else if (dfr_i == 4'd1) dfr_i <= (drx_data == 8'h55) ? 4'd2 :
                                             (drx_data == 8'hAA) ? 4'd1 : 4'd0;
            else if (dfr_i == 4'd8) begin
                dfr_i <= 4'd0;
                frame_done <= 1'b1;
            end else dfr_i <= dfr_i + 4'd1;
        end
    end
    wire uq_in_ready;
    byte_fifo #(.AW(5)) u_uq (.clk(clk), .rst(rst), .in_valid(dfr_push), .in_data(drx_data),
        .in_ready(uq_in_ready), .out_valid(uq_valid), .out_data(uq_data), .out_ready(uq_take),
        .count(uq_count));

    // ---- upstream merge -------------------------------------------------------------------
    reg       m_busy, m_ds;
    reg [3:0] m_i;
    wire      utx_ready;
    wire      m_body = (m_i >= 4'd2);
    wire      m_valid = m_busy && (m_ds && m_body ? uq_valid : 1'b1);
    wire [7:0] m_data = !m_ds ? own_byte : (m_i == 4'd0) ? 8'hAA : (m_i == 4'd1) ? 8'h55 : uq_data;
    wire      m_fire = m_valid && utx_ready;
    assign uq_take = m_busy && m_ds && m_body && utx_ready;
    assign own_byte_take = m_busy && !m_ds && utx_ready;
    wire      m_start_ds = !m_busy && frames_ready != 3'd0;

    always @(posedge clk) begin
        if (rst) begin
            m_busy <= 1'b0;
            frames_ready <= 3'd0;
        end else begin
            if (frame_done && !m_start_ds)
                frames_ready <= frames_ready + 3'd1;
            else if (!frame_done && m_start_ds)
                frames_ready <= frames_ready - 3'd1;
            if (!m_busy) begin
                if (m_start_ds) begin
                    m_busy <= 1'b1; m_ds <= 1'b1; m_i <= 4'd0;
                end else if (own_busy) begin
                    m_busy <= 1'b1; m_ds <= 1'b0; m_i <= 4'd0;
                end
            end else if (m_fire) begin
                m_i <= m_i + 4'd1;
                if (m_i == 4'd8) m_busy <= 1'b0;
            end
        end
    end
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused = &{1'b0, uq_in_ready, dq_in_ready, job_id[1:0], hdr_sh[127:116]};
    /* verilator lint_on UNUSEDSIGNAL */

    uart_tx u_utx (.clk(clk), .rst(rst), .div(baud_div), .valid(m_fire), .data(m_data),
        .ready(utx_ready), .tx(us_tx));
endmodule
