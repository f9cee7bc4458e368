// SPDX-License-Identifier: MIT
// The fully unrolled SHA-256d on the real headers: run from a few nonces below each real
// nonce; the real nonce must be reported, and the pipeline takes one nonce per clock.
`default_nettype none

module tb_sha256d_unrolled;
    localparam NH = 4;
    reg clk = 1'b0, rst = 1'b1, run = 1'b0;
    always #5 clk = ~clk;
    reg  [255:0] midstate = 256'd0;
    reg  [95:0]  tail = 96'd0;
    reg  [31:0]  nonce_first = 32'd0;
    wire         hit;
    wire [31:0]  hit_nonce;
    sha256d_unrolled dut (.clk(clk), .rst(rst), .run(run), .midstate(midstate), .tail(tail),
        .nonce_first(nonce_first), .h7_mask(32'hFFFFFFFF), .hit(hit), .hit_nonce(hit_nonce));

    reg [639:0] hv [0:NH-1];
    integer i, nhits, t_start, t_hit;
    reg [31:0] w3, found;
    initial begin : timeout
        #(10 * 20000);
        $display("FAIL: timeout");
        $fatal(1);
    end
    always @(posedge clk)
        if (hit) begin
            nhits = nhits + 1;
            found = hit_nonce;
            t_hit = $time;
        end
    initial begin
        $readmemh("headers.hex", hv);
        repeat (3) @(posedge clk);
        rst <= 1'b0;
        for (i = 0; i < NH; i = i + 1) begin
            w3 = hv[i][287:256];
            nhits = 0;
            @(posedge clk);
            midstate <= hv[i][639:384]; tail <= hv[i][383:288]; nonce_first <= w3 - 32'd20;
            @(posedge clk);
            run <= 1'b1;
            t_start = $time;
            repeat (300) @(posedge clk);
            run <= 1'b0;
            repeat (2) @(posedge clk);
            if (nhits != 1 || found !== w3) begin
                $display("FAIL: header %0d: %0d hits, last %h, expected %h", i, nhits, found, w3);
                $fatal(1);
            end
            // 20 nonces below, found at latency + 20 clocks: one nonce per clock
            $display("header %0d: nonce word %h after %0d clocks (latency 130 + 20 nonces, 1 nonce per clock)",
                     i, found, (t_hit - t_start) / 10);
        end
        $display("PASS sha256d_unrolled: %0d real headers", NH);
        $finish;
    end
endmodule
