-- pandoc filter for hacking/docsite_sources.py: the guides' relative links (written for GitHub and the shipped
-- Markdown) become docsite references: a module or role file -> its plugin page, another guide -> its label,
-- anything else in the repository -> its page on the project's repository (absolute, never dead).
local repo = 'https://github.com/collab-uc/collab.uc/blob/main/'
local guides = {}
for name in string.gmatch(os.getenv('COLLAB_UC_GUIDES') or '', '[^ ]+') do guides[name] = true end

local this = os.getenv('COLLAB_UC_GUIDE') or ''
local prefix = 'ansible_collections.collab.uc.docsite.'

local function rst(text) return pandoc.RawInline('rst', text) end
local function label(guide, anchor)
  local l = prefix .. guide:gsub('-', '_')
  if anchor and anchor ~= '' then l = l .. '.' .. anchor end
  return l
end

-- headings get labels under this guide's label, so that #anchor links resolve and every label has the prefix
function Header(el)
  if el.identifier ~= '' then el.identifier = label(this, el.identifier) end
  return el
end

-- YAML examples are Ansible YAML (Jinja, !unsafe, !vault): highlight and check them as such
-- languages Pygments does not know are shown as plain text
local plain = { csv = true, cron = true, crontab = true }
function CodeBlock(el)
  if el.classes[1] == 'yaml' then
    el.classes[1] = 'yaml+jinja'
    return el
  elseif plain[el.classes[1]] then
    el.classes[1] = 'text'
    return el
  end
  return nil
end

local function normalise(target)
  -- a guide is docs/NAME.md: ../x is the repository's x, anything else is under docs/
  target = (target:gsub('^%./', ''))
  if target:match('^%.%./') then return (target:gsub('^%.%./', '')) end
  return 'docs/' .. target
end

function Link(el)
  local target = el.target
  if target:match('^%a[%w+.-]*:') then return nil end
  local text = pandoc.utils.stringify(el.content)
  if target:match('^#') then return rst(':ref:`' .. text .. ' <' .. label(this, target:sub(2)) .. '>`') end
  local path, anchor = target:match('^([^#]*)(#?.*)$')
  path = normalise(path)
  local module = path:match('^plugins/modules/([%w_]+)%.py$')
  if module then return rst(':ansplugin:`' .. text .. ' <collab.uc.' .. module .. '#module>`') end
  local role = path:match('^roles/([%w_]+)/README%.md$') or path:match('^roles/([%w_]+)/?$')
  if role then return rst(':ansplugin:`' .. text .. ' <collab.uc.' .. role .. '#role>`') end
  local guide = path:match('^docs/([%w_-]+)%.md$')
  if guide and guides[guide] then
    return rst(':ref:`' .. text .. ' <' .. label(guide, anchor:sub(2)) .. '>`')
  end
  el.target = repo .. path .. anchor
  return el
end
