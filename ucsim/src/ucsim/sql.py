"""A tiny, safe SQL subset for executeSQLQuery.

    SELECT [SKIP n] [FIRST m] item [, item...] FROM table
      [WHERE cond [AND cond]...] [GROUP BY col [, col...]] [ORDER BY col [ASC|DESC] [, ...]] [;]
    item := * | col | LOWER(col) | COUNT(*)   [AS alias]
    cond := operand (= | <> | != | < | > | <= | >=) literal | operand IN (literal [, literal...])
          | operand LIKE 'pattern'
    operand := col | LOWER(col);  literal := 'text' (quote doubled inside) | integer

Anything else raises SQLError (answered as axlcode 201). Values are never interpolated into code: the
query is tokenized and interpreted.
"""

import itertools
import re

from . import assumptions as A


class SQLError(Exception):
    pass


_TOKEN = re.compile(r"""\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+)(?![A-Za-z_])|(?P<id>[A-Za-z_][A-Za-z0-9_]*)"""
                    r"""|(?P<op><>|!=|>=|<=|[(),*=<>;]))""")
KEYWORDS = {"select", "from", "where", "and", "in", "group", "by", "order", "asc", "desc", "skip", "first",
            "count", "lower", "as", "like"}
UNSUPPORTED = {"or", "not", "union", "join", "insert", "update", "delete", "drop", "exists", "having",
               "between", "is", "null", "limit", "distinct", "unique", "into", "outer", "inner", "left"}


def tokenize(sql):
    toks, pos, n = [], 0, len(sql)
    while True:
        while pos < n and sql[pos].isspace():
            pos += 1
        if pos >= n:
            break
        m = _TOKEN.match(sql, pos)
        if not m:
            raise SQLError("A syntax error has occurred near position %d (%r)" % (pos, sql[pos:pos + 20]))
        pos = m.end()
        if m.group("str") is not None:
            toks.append(("str", m.group("str")[1:-1].replace("''", "'")))
        elif m.group("num") is not None:
            toks.append(("num", int(m.group("num"))))
        elif m.group("id") is not None:
            word = m.group("id").lower()
            if word in UNSUPPORTED:
                raise SQLError("A syntax error has occurred: %s is not supported by this server's SQL subset"
                               % word.upper())
            toks.append(("kw" if word in KEYWORDS else "id", word))
        else:
            toks.append(("op", m.group("op")))
    return toks


class Query:
    def __init__(self):
        self.items = []  # (kind, column, alias) kind: col | lower | count | star
        self.table = None
        self.conds = []  # (lower?, column, op, [literals])
        self.group_by = []
        self.order_by = []  # (name, desc)
        self.skip = 0
        self.first = None


class _Parser:
    def __init__(self, toks):
        self.toks = toks
        self.i = 0

    def peek(self, kind=None, value=None):
        if self.i >= len(self.toks):
            return None
        t = self.toks[self.i]
        if (kind is None or t[0] == kind) and (value is None or t[1] == value):
            return t
        return None

    def take(self, kind=None, value=None, what=None):
        t = self.peek(kind, value)
        if t is None:
            got = self.toks[self.i][1] if self.i < len(self.toks) else "end of statement"
            raise SQLError("A syntax error has occurred: expected %s, found %r" % (what or value or kind, got))
        self.i += 1
        return t

    def ident(self):
        return self.take("id", what="a column name")[1]

    def operand(self):
        if self.peek("kw", "lower"):
            self.i += 1
            self.take("op", "(")
            col = self.ident()
            self.take("op", ")")
            return True, col
        return False, self.ident()

    def literal(self):
        t = self.peek("str") or self.peek("num")
        if t is None:
            raise SQLError("A syntax error has occurred: expected a quoted string or a number")
        self.i += 1
        return t[1]

    def parse(self):
        q = Query()
        self.take("kw", "select")
        if self.peek("kw", "skip"):
            self.i += 1
            q.skip = self.take("num", what="a number after SKIP")[1]
        if self.peek("kw", "first"):
            self.i += 1
            q.first = self.take("num", what="a number after FIRST")[1]
        while True:
            if self.peek("op", "*"):
                self.i += 1
                item = ["star", None, None]
            elif self.peek("kw", "count"):
                self.i += 1
                self.take("op", "(")
                self.take("op", "*")
                self.take("op", ")")
                item = ["count", None, None]
            else:
                low, col = self.operand()
                item = ["lower" if low else "col", col, None]
            if self.peek("kw", "as"):
                self.i += 1
                item[2] = self.ident()
            elif self.peek("id"):
                item[2] = self.ident()
            q.items.append(tuple(item))
            if not self.peek("op", ","):
                break
            self.i += 1
        self.take("kw", "from")
        q.table = self.ident()
        if self.peek("kw", "where"):
            self.i += 1
            while True:
                low, col = self.operand()
                if self.peek("kw", "in"):
                    self.i += 1
                    self.take("op", "(")
                    vals = [self.literal()]
                    while self.peek("op", ","):
                        self.i += 1
                        vals.append(self.literal())
                    self.take("op", ")")
                    q.conds.append((low, col, "in", vals))
                elif self.peek("kw", "like"):
                    self.i += 1
                    pat = self.take("str", what="a quoted LIKE pattern")[1]
                    q.conds.append((low, col, "like", [_like_regex(pat)]))
                else:
                    op = self.take("op", what="a comparison operator")[1]
                    if op not in ("=", "<>", "!=", "<", ">", "<=", ">="):
                        raise SQLError("A syntax error has occurred: unexpected %r" % op)
                    q.conds.append((low, col, op, [self.literal()]))
                if not self.peek("kw", "and"):
                    break
                self.i += 1
        if self.peek("kw", "group"):
            self.i += 1
            self.take("kw", "by")
            q.group_by.append(self.ident())
            while self.peek("op", ","):
                self.i += 1
                q.group_by.append(self.ident())
        if self.peek("kw", "order"):
            self.i += 1
            self.take("kw", "by")
            while True:
                name = self.ident()
                desc = False
                if self.peek("kw", "asc"):
                    self.i += 1
                elif self.peek("kw", "desc"):
                    self.i += 1
                    desc = True
                q.order_by.append((name, desc))
                if not self.peek("op", ","):
                    break
                self.i += 1
        if self.peek("op", ";"):
            self.i += 1
        if self.i != len(self.toks):
            raise SQLError("A syntax error has occurred near %r" % (self.toks[self.i][1],))
        return q


def _like_regex(pat):
    out = []
    for ch in pat:
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
    return re.compile("".join(out), re.S)


def parse(sql):
    return _Parser(tokenize(sql)).parse()


def _num(v):
    if isinstance(v, int):
        return v
    try:
        return int(str(v).strip())
    except ValueError:
        return None


def _compare(v, op, lit):
    if v is None:
        return False
    if op == "like":
        return lit.fullmatch(str(v)) is not None
    if isinstance(lit, int) or isinstance(v, int):
        a, b = _num(v), _num(lit)
        if a is None or b is None:
            return False if op not in ("<>", "!=") else True
    else:
        a, b = v, lit
    if op == "=":
        return a == b
    if op in ("<>", "!="):
        return a != b
    if op == "<":
        return a < b
    if op == ">":
        return a > b
    if op == "<=":
        return a <= b
    return a >= b


def execute(q, tables, table_rows):
    """Run a parsed query. tables: {name: columns}; table_rows(table, userids) -> iterable of dicts.
    Returns (column names, list of value lists)."""
    cols = tables.get(q.table)
    if cols is None:
        raise SQLError("The specified table (%s) is not in the database." % q.table)

    def check(c):
        if c not in cols:
            raise SQLError("Column (%s) not found in any table in the query (or SLV is undefined)." % c)

    items = []
    for kind, col, alias in q.items:
        if kind == "star":
            items.extend(("col", c, c) for c in cols)
        elif kind == "count":
            items.append(("count", None, alias or A.COUNT_COLUMN))
        else:
            check(col)
            items.append((kind, col, alias or col))
    for _, col, _, _ in q.conds:
        check(col)
    for col in q.group_by:
        check(col)
    aggregate = bool(q.group_by) or any(k == "count" for k, _, _ in items)
    if aggregate:
        for kind, col, _ in items:
            if kind != "count" and col not in q.group_by:
                raise SQLError("The column (%s) must be in the GROUP BY list." % col)
    names = [name for _, _, name in items]
    for name, _ in q.order_by:
        if name not in names and (aggregate or name not in cols):
            raise SQLError("ORDER BY column (%s) must be in the select list." % name)

    userids = None
    if q.table in ("enduser", "refreshtokendetails"):
        for low, col, op, vals in q.conds:
            if col == "userid" and not low and op in ("=", "in"):
                ids = [str(v) for v in vals]
                userids = list(dict.fromkeys(ids)) if userids is None else [u for u in userids if u in ids]
    conds = [(low, col, op, vals) for low, col, op, vals in q.conds]

    def keep(row):
        for low, col, op, vals in conds:
            v = row.get(col)
            if low and v is not None:
                v = str(v).lower()
            if op == "in":
                if not any(_compare(v, "=", lit) for lit in vals):
                    return False
            elif not _compare(v, op, vals[0]):
                return False
        return True

    needed = {col for kind, col, _ in items if col} | {col for _, col, _, _ in q.conds} | set(q.group_by)
    needed |= {n for n, _ in q.order_by if n in cols}
    matched = (r for r in table_rows(q.table, userids, needed) if keep(r))
    if not aggregate and not q.order_by and q.first is not None:  # no sort: stop once enough rows matched
        matched = itertools.islice(matched, q.skip + q.first)
    if aggregate:
        groups = {}
        for r in matched:
            key = tuple(r.get(c) for c in q.group_by)
            groups[key] = groups.get(key, 0) + 1
        if not groups and not q.group_by:
            groups[()] = 0
        rows = []
        for key, n in groups.items():
            g = dict(zip(q.group_by, key))
            rows.append([n if kind == "count" else (str(g[col]).lower() if kind == "lower" and g[col] is not None
                                                      else g[col]) for kind, col, _ in items])
    else:
        rows = []
        order_extra = [n for n, _ in q.order_by if n not in names]
        for r in matched:
            row = [(str(r[col]).lower() if kind == "lower" and r[col] is not None else r[col])
                   for kind, col, _ in items]
            if order_extra:
                row.append({n: r[n] for n in order_extra})
            rows.append(row)
    if q.order_by:
        def sort_key_for(name):
            if name in names:
                idx = names.index(name)
                return lambda row: _sortable(row[idx])
            return lambda row: _sortable(row[-1][name])
        for name, desc in reversed(q.order_by):
            rows.sort(key=sort_key_for(name), reverse=desc)
        if not aggregate and any(n not in names for n, _ in q.order_by):
            rows = [row[:-1] for row in rows]
    if q.skip:
        rows = rows[q.skip:]
    if q.first is not None:
        rows = rows[:q.first]
    return names, rows


def _sortable(v):
    if v is None:
        return (0, 0, "")
    if isinstance(v, int):
        return (1, v, "")
    return (2, 0, str(v))
