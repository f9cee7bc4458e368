// SPDX-License-Identifier: MIT
// Chip-wrapper bench: NCHIPS bm13xx_chip instances in a daisy chain, a host UART at the
// top, driven by a stream file (scripts/gen_chip_streams.py, +stream=FILE): frames to
// send, the exact reply bytes expected next, silences, host baud changes.
`default_nettype none

module tb_chip;
    parameter NCHIPS = 1;
    parameter LANES  = 2;

    reg clk = 1'b0, rst = 1'b1;
    always #5 clk = ~clk;

    reg  [15:0] hdiv = 16'd7;
    wire        host_tx, host_rx;
    wire [NCHIPS:0] down;   // down[i]: into chip i's us_rx (down[0] = host)
    wire [NCHIPS:0] up;     // up[i]:   out of chip i's us_tx (up[NCHIPS] = idle line)
    assign down[0] = host_tx;
    assign host_rx = up[0];
    assign up[NCHIPS] = 1'b1;

    genvar g;
    generate
        for (g = 0; g < NCHIPS; g = g + 1) begin : g_chip
            bm13xx_chip #(.LANES(LANES), .DIV_INIT(16'd7)) u_chip (
                .clk(clk), .rst(rst), .us_rx(down[g]), .us_tx(up[g]),
                .ds_tx(down[g + 1]), .ds_rx(up[g + 1]));
        end
    endgenerate

    // host UART
    reg        htx_valid = 1'b0;
    reg  [7:0] htx_data = 8'd0;
    wire       htx_ready;
    uart_tx u_htx (.clk(clk), .rst(rst), .div(hdiv), .valid(htx_valid), .data(htx_data),
        .ready(htx_ready), .tx(host_tx));
    wire       hrx_valid;
    wire [7:0] hrx_data;
    uart_rx u_hrx (.clk(clk), .rst(rst), .div(hdiv), .rx(host_rx), .valid(hrx_valid), .data(hrx_data));

    reg [7:0] rxq [0:4095];
    integer   rx_w = 0, rx_r = 0;
    always @(posedge clk)
        if (hrx_valid) begin
            rxq[rx_w[11:0]] <= hrx_data;
            rx_w <= rx_w + 1;
        end

    initial begin : timeout
        #(10 * 3000000);
        $display("FAIL: timeout");
        $fatal(1);
    end

    task send_byte;
        input [7:0] b;
        begin
            @(posedge clk);
            while (!htx_ready) @(posedge clk);
            htx_valid <= 1'b1; htx_data <= b;
            @(posedge clk);
            htx_valid <= 1'b0;
            @(posedge clk);
        end
    endtask

    integer fd, r, n, i, v, t, line, n_frames, n_replies;
    reg [7:0] cmdc;
    reg [7:0] exp [0:255];
    reg [1023:0] fname;
    initial begin
        if (!$value$plusargs("stream=%s", fname)) begin
            $display("FAIL: no +stream=FILE");
            $fatal(1);
        end
        fd = $fopen(fname, "r");
        if (fd == 0) begin
            $display("FAIL: cannot open the stream file");
            $fatal(1);
        end
        repeat (5) @(posedge clk);
        rst <= 1'b0;
        repeat (20) @(posedge clk);
        line = 0; n_frames = 0; n_replies = 0;
        r = $fscanf(fd, " %c", cmdc);
        while (r == 1) begin
            line = line + 1;
            if (cmdc == "S" || cmdc == "E") begin
                r = $fscanf(fd, "%d", n);
                for (i = 0; i < n; i = i + 1) begin
                    r = $fscanf(fd, "%h", v);
                    exp[i] = v[7:0];
                end
                if (cmdc == "S") begin
                    for (i = 0; i < n; i = i + 1) send_byte(exp[i]);
                    n_frames = n_frames + 1;
                end else begin
                    t = 0;
                    while (rx_w - rx_r < n && t < 400000) begin
                        @(posedge clk);
                        t = t + 1;
                    end
                    if (rx_w - rx_r < n) begin
                        $display("FAIL: line %0d: %0d of %0d reply bytes arrived", line, rx_w - rx_r, n);
                        $fatal(1);
                    end
                    for (i = 0; i < n; i = i + 1) begin
                        if (rxq[rx_r[11:0]] !== exp[i]) begin
                            $display("FAIL: line %0d: reply byte %0d = %h, expected %h", line, i,
                                     rxq[rx_r[11:0]], exp[i]);
                            $fatal(1);
                        end
                        rx_r = rx_r + 1;
                    end
                    n_replies = n_replies + 1;
                end
            end else if (cmdc == "Q") begin
                r = $fscanf(fd, "%d", n);
                repeat (n) @(posedge clk);
                if (rx_w != rx_r) begin
                    $display("FAIL: line %0d: %0d unexpected bytes, first %h", line, rx_w - rx_r, rxq[rx_r[11:0]]);
                    $fatal(1);
                end
            end else if (cmdc == "D") begin
                r = $fscanf(fd, "%d", n);
                hdiv = n[15:0];
            end else begin
                $display("FAIL: bad stream line %0d", line);
                $fatal(1);
            end
            r = $fscanf(fd, " %c", cmdc);
        end
        $display("PASS tb_chip NCHIPS=%0d LANES=%0d: %0d frames sent, %0d replies exact (%0s)",
                 NCHIPS, LANES, n_frames, n_replies, fname);
        $finish;
    end
endmodule
