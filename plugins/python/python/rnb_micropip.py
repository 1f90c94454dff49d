"""The kernel's ``micropip`` on Pyodide: Pyodide's real micropip downloads from Python (pyfetch), and the kernel has no
network, so this module of the same name and call shape hands the requirements to JavaScript, which loads them through
the server (packages.ts: the lock file, then the python-pypi host service). Its failures are ValueErrors in words for the
user, as micropip's are. ``make_micropip(install_js)`` puts it in sys.modules.
"""
import json as _json, sys as _sys, types as _types

def make_micropip(install_js):
    module = _types.ModuleType("micropip")
    module.__doc__ = "Installs pure-Python wheels and Pyodide's packages through the notebook server."
    installed = []

    async def install(requirements, keep_going=False, deps=True, credentials=None, pre=False, index_urls=None, **_ignored):
        if isinstance(requirements, str):
            requirements = [requirements]
        error = await install_js(_json.dumps([str(r) for r in requirements]))
        if error:
            raise ValueError(error)
        installed.extend(r for r in requirements if r not in installed)

    def list_installed():
        return list(installed)

    module.install = install
    module.list = list_installed
    _sys.modules["micropip"] = module
