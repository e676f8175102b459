"""Describe the machine a benchmark ran on (figures are meaningless without it)."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def describe() -> str:
    """e.g. 'x86_64, 2 cores (AMD EPYC ...), 23.4 GiB RAM, Python 3.11.7, Linux 6.1'."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split()[1])
        mem = f", {kb / 2**20:.1f} GiB RAM"
    return (
        f"{platform.machine()}, {os.cpu_count()} cores ({model or 'unknown CPU'}){mem}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release().split('-')[0]}"
    )


if __name__ == "__main__":
    print(describe())
