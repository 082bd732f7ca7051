"""An offline stand-in for the SimpleBackups REST API.

``create_app(config)`` builds the Flask app; ``SimulatorServer`` runs it in a
background thread; ``python3 -m simplebackups_simulator`` runs it in the
foreground. See tests/simulator/README.md.
"""

from .app import create_app
from .config import SimulatorConfig
from .server import SimulatorServer

__all__ = ["create_app", "SimulatorConfig", "SimulatorServer"]
__version__ = "1.0.0"
