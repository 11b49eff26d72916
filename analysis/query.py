"""The brand query language: parse a query string into a tree, refusing bad ones by position.

Grammar (operators in capitals; lower-case `and`/`or`/`not` are ordinary words)::

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*          -- two terms side by side mean AND
    unary   := ("NOT" | "-") unary | primary
    primary := "(" or ")" | PHRASE | TERM | FIELD ":" VALUE

A TERM is a word such as `acme`, `at&t`, `coca-cola`, `#acme` or `@acmehq`; a PHRASE is
text in double quotes; FIELD is one of `site`, `subreddit` (also written `r/name`),
`author` or `source`. For example `"acme corp" OR (acme NOT coyote) OR site:acme.com`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FIELDS = ("site", "subreddit", "author", "source")
MAX_DEPTH = 50  # parentheses and NOTs inside one another


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed; `position` is the 1-based character where it went wrong."""

    def __init__(self, message: str, position: int, query: str) -> None:
        super().__init__(f"{message} at position {position}")
        self.message = message
        self.position = position
        self.query = query

    def pointer(self) -> str:
        """Return the query with a caret line under the offending character."""
        return f"{self.query}\n{' ' * (self.position - 1)}^"


@dataclass(frozen=True, slots=True)
class Term:
    """Text to find as whole words; `text` is what the user wrote (shown as the matched term)."""

    text: str


@dataclass(frozen=True, slots=True)
class Field:
    """A condition on where the mention comes from (site, subreddit, author or source)."""

    name: str
    value: str

    @property
    def text(self) -> str:
        return f"{self.name}:{self.value}"


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Field | Not | And | Or

_OPERATORS = ("AND", "OR", "NOT")
# A bare word runs until whitespace, a parenthesis or a quote.
_WORD = re.compile(r"[^\s()\"]+")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # word, phrase, lparen, rparen, and, or, not, end
    value: str
    position: int  # 1-based


def _tokenise(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(query):
        char = query[i]
        if char.isspace():
            i += 1
        elif char == "(":
            tokens.append(_Token("lparen", char, i + 1))
            i += 1
        elif char == ")":
            tokens.append(_Token("rparen", char, i + 1))
            i += 1
        elif char in '"“”':
            end = _closing_quote(query, i + 1)
            if end < 0:
                raise QuerySyntaxError("unclosed quote", i + 1, query)
            phrase = " ".join(query[i + 1 : end].split())
            if not phrase:
                raise QuerySyntaxError("empty phrase", i + 1, query)
            tokens.append(_Token("phrase", phrase, i + 1))
            i = end + 1
        else:
            match = _WORD.match(query, i)
            assert match is not None  # any other character starts a word
            word = match.group()
            if word in _OPERATORS:
                tokens.append(_Token(word.lower(), word, i + 1))
            elif word.startswith("-") and len(word) > 1:
                # "-coyote" is shorthand for NOT coyote
                tokens.append(_Token("not", "-", i + 1))
                tokens.append(_Token("word", word[1:], i + 2))
            else:
                tokens.append(_Token("word", word, i + 1))
            i = match.end()
    tokens.append(_Token("end", "", len(query) + 1))
    return tokens


def _closing_quote(query: str, start: int) -> int:
    for j in range(start, len(query)):
        if query[j] in '"“”':
            return j
    return -1


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = _tokenise(query)
        self.at = 0
        self.depth = 0  # open parentheses and NOTs around the current token

    def nest(self, token: _Token) -> None:
        # Python's own stack gives out near 1,000 levels; no real query comes close to 50.
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"nested more than {MAX_DEPTH} levels deep", token)

    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def fail(self, message: str, token: _Token | None = None) -> QuerySyntaxError:
        token = token or self.peek()
        return QuerySyntaxError(message, token.position, self.query)

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise self.fail("empty query")
        node = self.parse_or()
        token = self.peek()
        if token.kind == "rparen":
            raise self.fail("unmatched ')'")
        if token.kind != "end":
            raise self.fail(f"unexpected {token.value!r}")
        return node

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while self.peek().kind == "or":
            self.take()
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Node:
        children = [self.parse_unary()]
        while True:
            token = self.peek()
            if token.kind == "and":
                self.take()
                children.append(self.parse_unary())
            elif token.kind in ("word", "phrase", "lparen", "not"):
                children.append(self.parse_unary())
            else:
                break
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_unary(self) -> Node:
        if self.peek().kind == "not":
            self.nest(self.take())
            node = Not(self.parse_unary())
            self.depth -= 1
            return node
        return self.parse_primary()

    def parse_primary(self) -> Node:
        token = self.peek()
        if token.kind == "lparen":
            self.nest(self.take())
            if self.peek().kind == "rparen":
                raise self.fail("empty parentheses", token)
            node = self.parse_or()
            if self.peek().kind != "rparen":
                raise self.fail("'(' is never closed: a ')' is missing", token)
            self.take()
            self.depth -= 1
            return node
        if token.kind == "phrase":
            self.take()
            return Term(token.value)
        if token.kind == "word":
            self.take()
            return _word_node(token, self.query)
        if token.kind == "end":
            raise self.fail("query ends where a term was expected")
        raise self.fail(f"expected a term, got {token.value!r}")


def _word_node(token: _Token, query: str) -> Node:
    word = token.value
    lowered = word.lower()
    if lowered.startswith("r/") and len(word) > 2:
        return Field("subreddit", word[2:].lower())
    name, sep, value = word.partition(":")
    if sep and name.lower() in FIELDS:
        if not value:
            raise QuerySyntaxError(f"{name}: needs a value", token.position + len(word), query)
        value = value.lower()
        if name.lower() == "site":
            value = value.removeprefix("www.")
        elif name.lower() == "subreddit":
            value = value.removeprefix("r/")
        return Field(name.lower(), value)
    if not any(ch.isalnum() for ch in word):
        raise QuerySyntaxError(f"{word!r} has no letters or digits", token.position, query)
    return Term(word)


def parse_query(query: str) -> Node:
    """Parse a brand query; raise QuerySyntaxError with the 1-based position of the mistake."""
    node = _Parser(query).parse()
    if not positive_terms(node):
        raise QuerySyntaxError("the query has only NOT terms; it would match everything", 1, query)
    return node


def positive_terms(node: Node) -> list[Term | Field]:
    """Return the terms that can make a mention match (those not under a NOT), in order."""
    if isinstance(node, Term | Field):
        return [node]
    if isinstance(node, Not):
        return []
    return [term for child in node.children for term in positive_terms(child)]


def text_terms(node: Node) -> list[str]:
    """Return the words and phrases that can make a mention match, leaving out site:,
    subreddit:, author: and source: conditions, which say where a mention is from."""
    return [term.text for term in positive_terms(node) if isinstance(term, Term)]


def any_of(terms: tuple[str, ...] | list[str]) -> Node:
    """Return the query matching any of `terms`, each taken as a whole phrase."""
    nodes = tuple(Term(" ".join(t.split())) for t in terms if t.strip())
    if not nodes:
        raise ValueError("any_of needs at least one non-empty term")
    return nodes[0] if len(nodes) == 1 else Or(nodes)
