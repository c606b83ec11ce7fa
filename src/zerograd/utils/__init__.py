"""zerograd.utils: `data` (datasets and DataLoader), as torch.utils."""

from . import data
