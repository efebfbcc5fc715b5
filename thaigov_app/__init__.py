"""The top floor: the ``thaigov-qa`` command line and the operator's tools (doctor, backup, restore).

Why a package of its own: these are the only modules that look at every layer at once (the dispatcher
registers ``corpus``, ``index`` and ``bot`` subcommands; the doctor and the backup read the index and the
bot's tables), so they sit above the bot. ``thaigov_qa`` stays the ground floor every layer may import
(settings, errors, the SQLite openings) and never imports upwards: ``python3 -m thaigov_app`` (this
package's ``__main__``) is the module form of ``thaigov-qa``.
"""
