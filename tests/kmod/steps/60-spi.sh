# SPI through the test-only controller (tests/kmod/spi-stub), its transfers
# relayed to a third hbsim over ttyS3.
STEP=spi
. /steps/lib.sh
check "insmod hbspi_stub" insmod /lib/hb/hbspi_stub.ko
sleep 0.2
check "SPI chain appeared" hb_by_transport spi >/dev/null
hb_relay /dev/hbspi_stub /dev/ttyS3 &
relay=$!
sleep 0.2
t_unbind spi 4 1366 || rc=1
kill $relay
wait $relay 2>/dev/null
# No back-pressure on SPI: a full FIFO drops records and counts them.
t_spi_overrun || rc=1
check "rmmod hbspi_stub" rmmod hbspi_stub
if hb_by_transport spi >/dev/null; then fail "SPI chain gone"; else pass "SPI chain gone"; fi
exit $rc
