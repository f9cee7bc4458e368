/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * A BM13xx chain on the guest's COM2 (QEMU i440fx: \_SB.PCI0.S08.COM2),
 * so the kernel makes a serdev client the hashboard serdev driver binds to
 * (ACPI id HSHB0001). Installed at boot through CONFIG_ACPI_TABLE_UPGRADE:
 * tests/kmod/run puts the .aml at kernel/firmware/acpi/ in an uncompressed
 * cpio in front of the initramfs. The _DSD carries what a device tree node
 * would (Documentation/devicetree/bindings/hashboard,bm13xx-chain.yaml).
 */
DefinitionBlock ("hbssdt.aml", "SSDT", 2, "HSHB", "HBCHAIN", 0x00000001)
{
    External (\_SB.PCI0.S08.COM2, DeviceObj)

    Scope (\_SB.PCI0.S08.COM2)
    {
        Device (HBC0)
        {
            Name (_HID, "HSHB0001")
            Name (_UID, Zero)
            Name (_CRS, ResourceTemplate ()
            {
                UartSerialBusV2 (115200, DataBitsEight, StopBitsOne,
                    0x00, LittleEndian, ParityTypeNone, FlowControlNone,
                    0x0040, 0x0040, "\\_SB.PCI0.S08.COM2",
                    0x00, ResourceConsumer, , Exclusive, )
            })
            Name (_DSD, Package ()
            {
                ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
                Package ()
                {
                    Package () { "current-speed", 115200 },
                    Package () { "hashboard,chain-id", 7 },
                    Package () { "hashboard,family", "bm1366" },
                }
            })
        }
    }
}
