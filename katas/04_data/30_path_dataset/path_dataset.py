"""A Dataset over files on disk: class folders, paths at start-up, tensors on demand.

Real data sets rarely fit in memory. The usual layout is one folder per class,
``root/<class name>/<file>``, and the usual Dataset keeps only the list of ``(path, label)``
pairs, loading each file when the loader asks for it. ``torchvision.datasets.ImageFolder``
works this way, and yours will agree with it.

1. ``load_file(path)`` returns the file's contents as a ``float32`` tensor, chosen by the
   extension (compared in lower case: ``.PNG`` counts as ``.png``):

   - ``.pt``: a tensor saved with ``torch.save``; load it with ``torch.load(path,
     weights_only=True)`` (never unpickle arbitrary objects from files you did not write);
   - ``.npy``: a NumPy array saved with ``np.save``;
   - ``.png``: an image, opened with Pillow (``PIL.Image.open``, as ImageFolder does) and
     converted to RGB, so grayscale files get 3 channels too; as a ``(3, H, W)`` tensor
     (``torchvision.transforms.v2.functional.pil_to_tensor``), scaled from ``0..255`` to
     ``0.0..1.0``. (``torchvision.io``'s decoders are deprecated since torchvision 0.29 in
     favour of TorchCodec; Pillow is what ImageFolder itself uses.)
   - anything else: raise ``ValueError``.

2. ``FolderDataset(root, transform=None)`` scans ``root`` once, in ``__init__``:

   - ``classes``: the names of the sub-folders of ``root``, sorted (files directly in ``root``
     are not classes); ``class_to_idx``: ``{name: index in classes}``.
   - ``samples``: a list of ``(path, label)``, one per file directly inside a class folder
     whose extension is one of ``EXTENSIONS``, class by class in the order of ``classes``,
     and within a class sorted by file name. Other files (notes, CSVs, ``.DS_Store``) are
     skipped. This is exactly ImageFolder's ``samples`` (``path`` may be a ``str`` or a
     ``pathlib.Path``).
   - ``__len__``: the number of samples; ``__getitem__(i)``: ``(x, label)`` with ``x`` the
     loaded file passed through ``transform`` when one is given, ``label`` a plain ``int``.
     Files are read here, never in ``__init__``: a change to a file on disk shows up at the
     next access.

Check it: ``kata check data/path-dataset``. The spec writes small files under a temporary
folder and compares with ``torchvision.datasets.DatasetFolder`` and ``ImageFolder``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch
from torch.utils.data import Dataset

EXTENSIONS = (".pt", ".npy", ".png")


def load_file(path: str | Path) -> torch.Tensor:
    raise NotImplementedError("load_file: pick the loader by extension, return float32")


class FolderDataset(Dataset[tuple[torch.Tensor, int]]):
    def __init__(
        self,
        root: str | Path,
        transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ) -> None:
        raise NotImplementedError("FolderDataset.__init__: classes, class_to_idx and samples")

    def __len__(self) -> int:
        raise NotImplementedError("FolderDataset.__len__: the number of samples")

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        raise NotImplementedError("FolderDataset.__getitem__: load the file, transform, label")
