// SPDX-License-Identifier: MIT
// BM13xx CRCs, one byte per call, MSB first (docs/protocol.md):
// CRC5: poly 0x05, init 0x1F, no reflection, no xor-out (commands and replies);
// CRC16/CCITT-FALSE: poly 0x1021, init 0xFFFF (job frames).
`default_nettype none

module bm13xx_crc5_byte (
    input  wire [4:0] crc_in,
    input  wire [7:0] data,
    input  wire [3:0] nbits,    // bits of data to take, from bit 7 down (1..8)
    output reg  [4:0] crc_out
);
    integer i;
    reg fb;
    always @(*) begin
        crc_out = crc_in;
        for (i = 7; i >= 0; i = i - 1)
            if (7 - i < nbits) begin
                fb = crc_out[4] ^ data[i];
                crc_out = {crc_out[3:0], 1'b0} ^ (fb ? 5'h05 : 5'h00);
            end
    end
endmodule
