# -*- coding: utf-8 -*-
# Copyright: passthrough maintainers
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Runs the passthrough command line with --json and reads its one JSON document (docs/json.md)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

# the options every module takes to reach the tool
COMMON_ARGS = dict(
    executable=dict(type='str', default='passthrough'),
    root=dict(type='path'),
)

SCHEMA_VERSION = 1


class PassthroughError(Exception):
    """The tool answered with an error document (or not at all)."""

    def __init__(self, message, code=None, exit_code=None, document=None):
        super(PassthroughError, self).__init__(message)
        self.code = code
        self.exit_code = exit_code
        self.document = document


class PassthroughCli(object):
    def __init__(self, module):
        self.module = module
        self.executable = module.params['executable']
        self.root = module.params.get('root')

    def command(self, args):
        cmd = [self.executable]
        if self.root:
            cmd += ['--root', self.root]
        # --json is global (before the subcommand); no colour and no progress lines in what we parse
        return cmd + ['--json', '--color=never'] + list(args)

    def run(self, args, ok=(0,)):
        """The JSON document of `passthrough ARGS --json`; PassthroughError unless the exit status is in ok."""
        cmd = self.command(args)
        rc, out, err = self.module.run_command(cmd, environ_update={'NO_COLOR': '1', 'LC_ALL': 'C'})
        try:
            doc = json.loads(out)
        except ValueError:
            raise PassthroughError('%s printed no JSON document (exit %s): %s%s' % (
                ' '.join(cmd), rc, (out or '').strip()[:500], (' ' + err.strip()[:500]) if err else ''), exit_code=rc)
        if doc.get('schemaVersion') != SCHEMA_VERSION:
            raise PassthroughError('%s answered schemaVersion %r; this collection reads %d: update the collection' % (
                ' '.join(cmd), doc.get('schemaVersion'), SCHEMA_VERSION), exit_code=rc, document=doc)
        if rc not in ok or 'error' in doc:
            error = doc.get('error') or {}
            raise PassthroughError(error.get('message') or ('%s failed (exit %s)' % (' '.join(cmd), rc)),
                                   code=error.get('code'), exit_code=rc, document=doc)
        return rc, doc

    def fail(self, e, **result):
        """Ends the module with the tool's own message, code and exit status."""
        self.module.fail_json(msg=str(e), error_code=e.code, exit_code=e.exit_code, **result)


def device_args(devices):
    out = []
    for d in devices:
        out += ['--device', d]
    return out


def normalize_address(address):
    """0000:01:00.0 from 01:00.0 (the tool prints full addresses)."""
    a = address.strip().lower()
    return a if a.count(':') == 2 else '0000:' + a
