"""ThaiGov QA: answers about Thai government press releases, with the passages and links that back them.

The product is split one hop per folder: ``corpus`` reads releases, ``index`` makes them searchable and
answers, ``bot`` talks to Telegram. This package holds only what all three share: the settings and the
``thaigov-qa`` command line.
"""

__version__ = "0.1.0"
