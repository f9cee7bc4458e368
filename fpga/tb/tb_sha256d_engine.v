// SPDX-License-Identifier: MIT
// Real block headers on sha256d_engine: started a few nonces below the real nonce (in
// its lane), the engine must report exactly that nonce. Then a loose target (H7 low 5
// bits zero) over a 64 x 2 window must give exactly the hits Python's hashlib finds.
`default_nettype none

module tb_sha256d_engine;
    parameter LANES = 5;
    localparam NH = 4;

    reg clk = 1'b0, rst = 1'b1;
    always #5 clk = ~clk;

    reg          start = 1'b0, cancel = 1'b0;
    reg  [255:0] midstate = 256'd0;
    reg  [95:0]  tail = 96'd0;
    reg  [27:0]  nonce_first = 28'd0, nonce_last = 28'd0;
    reg  [31:0]  h7_mask = 32'hFFFFFFFF;
    wire         busy, hit_valid;
    wire [31:0]  hit_nonce;
    wire [7:0]   hits_dropped;
    wire         mid_rotate;
    always @(posedge clk)
        if (mid_rotate) midstate <= {midstate[223:0], midstate[255:224]};

    sha256d_engine #(.LANES(LANES)) dut (
        .clk(clk), .rst(rst), .start(start), .cancel(cancel), .midstate(midstate),
        .tail(tail), .nonce_first(nonce_first), .nonce_last(nonce_last), .h7_mask(h7_mask),
        .busy(busy), .hit_valid(hit_valid), .hit_nonce(hit_nonce), .hit_ready(1'b1),
        .hits_dropped(hits_dropped), .mid_rotate(mid_rotate));

    reg [639:0] hv [0:NH-1];    // midstate, tail12, nonce word, hash
    reg [31:0]  loose [0:15];
    reg [31:0]  got [0:31];
    integer ngot, i, n_hdr, t0, t1;

    always @(posedge clk)
        if (hit_valid) begin
            if (ngot < 32) got[ngot] = hit_nonce;
            ngot = ngot + 1;
        end

    initial begin : timeout
        #(10 * 200000);
        $display("FAIL: timeout");
        $fatal(1);
    end

    task run_job;
        input [255:0] m;
        input [95:0]  t;
        input [27:0]  first;
        input [27:0]  last;
        input [31:0]  mask;
        begin
            @(posedge clk);
            midstate <= m; tail <= t; nonce_first <= first; nonce_last <= last;
            h7_mask <= mask; start <= 1'b1;
            @(posedge clk);
            start <= 1'b0;
            t0 = $time;
            @(posedge clk);
            while (busy) @(posedge clk);
            t1 = $time;
            repeat (LANES + 2) @(posedge clk);
        end
    endtask

    reg [31:0] w3;
    initial begin
        $readmemh("headers.hex", hv);
        $readmemh("loose.hex", loose);
        ngot = 0; n_hdr = 0;
        repeat (3) @(posedge clk);
        rst <= 1'b0;
        for (i = 0; i < NH; i = i + 1) begin
            w3 = hv[i][287:256];
            if (w3[31:28] < LANES) begin
                ngot = 0;
                run_job(hv[i][639:384], hv[i][383:288], w3[27:0] - 28'd5, w3[27:0] + 28'd2,
                        32'hFFFFFFFF);
                if (ngot != 1 || got[0] !== w3) begin
                    $display("FAIL: header %0d: %0d hits, first %h, expected %h", i, ngot, got[0], w3);
                    $fatal(1);
                end
                $display("header %0d: nonce word %h found (8 nonces x %0d lanes, %0d clocks per nonce)",
                         i, got[0], LANES, (t1 - t0) / 10 / 8);
                n_hdr = n_hdr + 1;
            end
        end
        if (n_hdr < 2) begin
            $display("FAIL: only %0d headers fit %0d lanes", n_hdr, LANES);
            $fatal(1);
        end
        // Loose target, two lanes' worth of hits (the other lanes may add their own).
        ngot = 0;
        run_job(hv[0][639:384], hv[0][383:288], loose[1][27:0], loose[1][27:0] + loose[2][27:0] - 28'd1,
                loose[3]);
        begin : check_loose
            integer j, m;
            m = 0;
            for (j = 0; j < ngot && j < 32; j = j + 1)
                if (got[j][31:28] < 4'd2) begin
                    if (got[j] !== loose[4 + m]) begin
                        $display("FAIL: loose hit %0d = %h, expected %h", m, got[j], loose[4 + m]);
                        $fatal(1);
                    end
                    m = m + 1;
                end
            if (m != loose[0]) begin
                $display("FAIL: loose target gave %0d hits in lanes 0-1, expected %0d", m, loose[0]);
                $fatal(1);
            end
            $display("loose target: %0d hits in lanes 0-1 as expected (%0d in all %0d lanes)", m, ngot, LANES);
        end
        $display("PASS sha256d_engine LANES=%0d: %0d real headers", LANES, n_hdr);
        $finish;
    end
endmodule
