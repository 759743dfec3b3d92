# -*- coding: utf-8 -*-
# Copyright: passthrough maintainers
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # the options every module of the collection takes to reach the tool (module_utils/passthrough_cli.COMMON_ARGS)
    DOCUMENTATION = r'''
options:
  executable:
    description: The passthrough program.
    type: str
    default: passthrough
  root:
    description:
      - Work on the host below this directory instead of C(/) (C(passthrough --root)), e.g. a mounted image.
    type: path
'''
