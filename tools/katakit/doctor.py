"""`kata doctor`: what this environment can run, and why GPU tests will skip."""

from __future__ import annotations

import platform
import sys

from katakit.catalog import Catalog
from katakit.plugin import GPU_CONTAINER


def _version(module: str) -> str:
    try:
        imported = __import__(module)
    except ImportError as err:
        return f"missing ({err})"
    return str(getattr(imported, "__version__", "installed"))


def report(catalog: Catalog) -> str:
    import torch

    lines = [
        f"python      {sys.version.split()[0]} ({platform.machine()}, {platform.system()})",
        f"torch       {torch.__version__} (built for CUDA {torch.version.cuda or 'none: CPU'})",
        f"torchvision {_version('torchvision')}",
        f"lightning   {_version('lightning')}",
        f"onnxruntime {_version('onnxruntime')}",
        f"threads     {torch.get_num_threads()} intra-op",
    ]
    gpu_katas = [k.id for k in catalog.katas if k.needs_gpu]
    if torch.cuda.is_available():
        count = torch.cuda.device_count()
        for i in range(count):
            props = torch.cuda.get_device_properties(i)
            lines.append(f"cuda:{i}      {props.name}, {props.total_memory / 2**30:.1f} GiB")
        multi = "run" if count >= 2 else "skip (they need two GPUs)"
        lines.append(f"GPU tests   run; multi-GPU tests {multi}")
    else:
        lines.append("cuda        not available")
        lines.append(f"GPU tests   skip in {len(gpu_katas)} katas: {', '.join(gpu_katas) or '-'}")
        lines.append(f"            to run them, {GPU_CONTAINER}")
    lines.append(f"katas       {len(catalog.katas)} in {catalog.root}")
    return "\n".join(lines)
