# Sphinx configuration of the collab.uc docsite (`make docs`, hacking/docs.sh). The RST sources are written by
# antsibull-docs into .build/docsite/rst from the built collection (module, role and playbook docs, and the
# guides in docs/docsite/); the site is built offline with warnings as errors.
# Published at the `documentation` URL of galaxy.yml.

project = 'collab.uc'
copyright = 'collab.uc contributors'
title = 'collab.uc: Cisco Unified Communications OAuth administration for Ansible'
html_short_title = 'collab.uc'

import os

extensions = ['sphinx.ext.autodoc', 'sphinx.ext.intersphinx', 'sphinx_antsibull_ext']

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

# The site is built offline: references to the Ansible documentation resolve through a local inventory of the
# few labels used (hacking/docsite/ansible_devel_labels.txt, written by hacking/docsite/inventory.py).
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', os.environ['COLLAB_UC_ANSIBLE_INV']),
}
default_role = 'any'
nitpicky = True
