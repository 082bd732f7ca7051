"""Offline stand-in for the get-pip-<version>.py that ansible-test downloads.

ansible-test (2.19 / 2.21) creates its delegation and sanity virtual environments with
``python -m venv --without-pip`` and then runs::

    <venv python> ~/.ansible/test/cache/get_pip_<X_Y>.py --disable-pip-version-check \
        pip==<X.Y> --no-setuptools --no-wheel

fetching that script from ci-files.testing.ansible.com unless the cache file already
exists. That host is not reachable here, so .ci/sanity.sh installs this file in the
cache instead. It bootstraps pip from the interpreter's bundled wheel (ensurepip) and
then lets pip install the requested packages (pip==<X.Y>) from the package index.
"""

import subprocess
import sys

MARKER = 'simplebackups-ansible-test-get-pip-stand-in'  # lets .ci/sanity.sh recognise this file

# Options understood by the real get-pip.py but not by ``pip install``.
GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel')


def main():
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]

    try:
        import ensurepip  # noqa: F401  pylint: disable=unused-import,import-outside-toplevel
    except ImportError:
        sys.stderr.write(
            'get-pip stand-in: %s has no ensurepip module (on Debian/Ubuntu install python3-venv '
            'or python3.X-venv), so pip cannot be bootstrapped offline.\n' % sys.executable)
        return 1

    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'],
                          stdout=subprocess.DEVNULL)
    return subprocess.call([sys.executable, '-m', 'pip', 'install'] + args)


if __name__ == '__main__':
    sys.exit(main())
