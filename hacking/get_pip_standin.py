"""Offline stand-in for ansible-test's pip bootstrap script (get-pip.py).

``ansible-test ... --requirements`` bootstraps pip into each virtual environment it creates by running
``~/.ansible/test/cache/get_pip_<version>.py`` (for ansible-test 2.19: ``get_pip_24_2.py``) and downloads
that script from a host this project cannot reach when the file is missing. `make` copies this file there
(see hacking/ansible_test.sh). ansible-test runs it as::

    python get_pip_24_2.py --disable-pip-version-check pip==24.2 --no-setuptools --no-wheel

This stand-in installs the pip bundled with the interpreter (``ensurepip``) and then lets that pip install
what was asked for, from the package index the machine's pip configuration names. Two details matter:

* ``--no-setuptools`` and ``--no-wheel`` are get-pip options, not pip options (pip 23 rejects them): dropped.
* ``ensurepip`` clears every ``PIP_*`` variable and sets ``PIP_CONFIG_FILE`` to /dev/null, which would hide
  the machine's pip configuration (its CA bundle, its index): the pip install runs with the environment as
  it was before ensurepip, without ``PIP_CONFIG_FILE`` unless the caller had set it.
"""

import ensurepip
import os
import subprocess
import sys

GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel')


def main():
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    env = dict(os.environ)

    ensurepip.bootstrap(upgrade=True)

    if 'PIP_CONFIG_FILE' in os.environ and 'PIP_CONFIG_FILE' not in env:
        del os.environ['PIP_CONFIG_FILE']

    packages = [arg for arg in args if not arg.startswith('-')]
    if not packages:
        return 0

    return subprocess.call([sys.executable, '-m', 'pip', 'install'] + args, env=env)


if __name__ == '__main__':
    sys.exit(main())
