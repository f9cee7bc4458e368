// SPDX-License-Identifier: MIT
// NIST vectors (FIPS 180-4 examples from shared/vectors) on sha256_core, for any STAGES.
// Part 1 hashes every message block by block (chaining through the digest); part 2
// streams the single-block messages back to back at the core's full rate and checks
// them all, which proves one block per 64 / STAGES clocks.
`default_nettype none

module tb_sha256_core;
    parameter STAGES = 1;
    localparam NV = 6;
    localparam [255:0] IV = 256'h6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19;

    reg clk = 1'b0, rst = 1'b1;
    always #5 clk = ~clk;

    reg          in_valid = 1'b0;
    wire         in_ready;
    reg  [255:0] in_hin = 256'd0;
    reg  [511:0] in_block = 512'd0;
    wire         out_valid;
    wire [255:0] out_digest;

    sha256_core #(.STAGES(STAGES)) dut (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_hin(in_hin),
        .in_block(in_block), .out_valid(out_valid), .out_digest(out_digest));

    reg [775:0] vec [0:NV-1];   // {3 zero bits, first, 3 zero bits, last, block, digest}
    reg [255:0] h;
    integer j, k;
    integer i, n_ok, n_single, n_out, cycles, t0;
    reg [255:0] expect_q [0:NV-1];

    initial begin : timeout
        #(20000 * 10 * 64 / STAGES + 200000);
        $display("FAIL: timeout");
        $fatal(1);
    end

    initial begin
        $readmemh("sha256_blocks.hex", vec);
        n_ok = 0;
        repeat (3) @(posedge clk);
        rst <= 1'b0;
        // Part 1: message by message.
        h = IV;
        for (i = 0; i < NV; i = i + 1) begin
            if (vec[i][772]) h = IV;
            @(posedge clk);
            while (!in_ready) @(posedge clk);
            in_valid <= 1'b1; in_hin <= h; in_block <= vec[i][767:256];
            @(posedge clk);
            while (!in_ready) @(posedge clk);
            in_valid <= 1'b0;
            while (!out_valid) @(posedge clk);
            h = out_digest;
            if (vec[i][768]) begin
                if (h !== vec[i][255:0]) begin
                    $display("FAIL: block %0d digest %h expected %h", i, h, vec[i][255:0]);
                    $fatal(1);
                end
                n_ok = n_ok + 1;
            end
        end
        // Part 2: single-block messages back to back.
        n_single = 0;
        for (i = 0; i < NV; i = i + 1)
            if (vec[i][768] && vec[i][772]) begin
                expect_q[n_single] = vec[i][255:0];
                n_single = n_single + 1;
            end
        n_out = 0;
        fork
            begin : feed_in
                k = 0;
                for (j = 0; j < NV; j = j + 1)
                    if (vec[j][768] && vec[j][772]) begin
                        @(posedge clk);
                        while (!in_ready) @(posedge clk);
                        in_valid <= 1'b1; in_hin <= IV; in_block <= vec[j][767:256];
                        if (k == 0) t0 = $time;
                        k = k + 1;
                    end
                @(posedge clk);
                while (!in_ready) @(posedge clk);
                in_valid <= 1'b0;
            end
            begin : check_out
                while (n_out < n_single) begin
                    @(posedge clk);
                    if (out_valid) begin
                        if (out_digest !== expect_q[n_out]) begin
                            $display("FAIL: streamed %0d digest %h", n_out, out_digest);
                            $fatal(1);
                        end
                        n_out = n_out + 1;
                    end
                end
                cycles = ($time - t0) / 10;
            end
        join
        $display("PASS sha256_core STAGES=%0d: %0d NIST messages, %0d streamed in %0d clocks (%0d clocks per block)",
                 STAGES, n_ok, n_single, cycles, 64 / STAGES);
        $finish;
    end
endmodule
