# Kernel command line of the bootloader element: serial console first (seed 002), and
# classic interface names (eth0), independent of the MAC address.
export DIB_BOOTLOADER_DEFAULT_CMDLINE="console=tty0 console=ttyS0,115200n8 net.ifnames=0 biosdevname=0"
