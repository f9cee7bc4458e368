// SPDX-License-Identifier: MIT
// BM13xx job-frame CRC: CRC16/CCITT-FALSE (poly 0x1021, init 0xFFFF), one byte, MSB first.
`default_nettype none

module bm13xx_crc16_byte (
    input  wire [15:0] crc_in,
    input  wire [7:0]  data,
    output reg  [15:0] crc_out
);
    integer i;
    reg fb;
    always @(*) begin
        crc_out = crc_in;
        for (i = 7; i >= 0; i = i - 1) begin
            fb = crc_out[15] ^ data[i];
            crc_out = {crc_out[14:0], 1'b0} ^ (fb ? 16'h1021 : 16'h0000);
        end
    end
endmodule
