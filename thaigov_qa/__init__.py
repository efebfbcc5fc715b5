"""ThaiGov QA: answers about Thai government press releases, with the passages and links that back them.

The product is split one hop per folder: ``corpus`` reads releases, ``index`` makes them searchable and
answers, ``bot`` talks to Telegram, ``thaigov_app`` is the command line and the operator's tools. This
package is the ground floor and holds only what all of them share (settings, errors, SQLite openings,
logging, schema versions); it imports none of them.
"""

__version__ = "0.1.0"
