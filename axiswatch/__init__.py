"""axiswatch: watch news streams for new signs of Russia–DPRK cooperation."""

__version__ = "0.1.0"
