"Vision and multimodal transformers, built from scratch, proven against reference implementations, trained offline."
__version__ = "0.1.0"

import os as _os

if _os.environ.get("HOML16_NO_NETWORK", "") not in ("", "0"):
    from .core import block_network as _block_network
    _block_network()
