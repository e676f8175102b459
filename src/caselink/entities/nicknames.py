"""The shipped nickname table: given names and their familiar or variant forms.

Police records spell the same person's given name many ways: a witness
statement says "Steve", the custody record "Stephen", a phone contract
"Steven". Person resolution compares the *canonical* given name as well as
the written one, so that "Steve Smith" and "Stephen Smith" meet a name level
of their own ("same surname, nickname of the same given name") whose weight
the model learns from the data.

The table is data, written here as Python so it ships inside the package.
Each row is ``(canonical, variants...)``. A variant belongs to one canonical
name only; the few genuinely ambiguous forms (``pat``: Patrick or Patricia,
``alex``: Alexander or Alexandra) are given to the commoner name, and the
model still sees the written names through its other name levels.
"""

from __future__ import annotations

from types import MappingProxyType

NICKNAME_GROUPS: tuple[tuple[str, ...], ...] = (
    # men
    ("alexander", "alex", "alec", "alistair", "alasdair", "sandy", "xander"),
    ("albert", "al", "bert", "bertie"),
    ("alfred", "alf", "alfie", "fred"),
    ("andrew", "andy", "drew"),
    ("anthony", "antony", "tony", "ant"),
    ("arthur", "art", "artie"),
    ("benjamin", "ben", "benny", "benji"),
    ("bernard", "bernie"),
    ("bradley", "brad"),
    ("callum", "calum", "cal"),
    ("charles", "charlie", "chas", "chuck", "charley"),
    ("christopher", "chris", "kit", "topher", "christoper"),
    ("daniel", "dan", "danny", "dani"),
    ("david", "dave", "davey", "davy", "dai"),
    ("dominic", "dom", "dominick"),
    ("donald", "don", "donnie"),
    ("douglas", "doug", "dougie"),
    ("edward", "ed", "eddie", "eddy", "ted", "teddy", "ned"),
    ("francis", "frank", "frankie", "fran"),
    ("frederick", "freddie", "freddy", "frederic"),
    ("gareth", "gaz"),
    ("gary", "garry", "gaz"),
    ("geoffrey", "jeffrey", "geoff", "jeff"),
    ("gerald", "gerry", "jerry", "ged"),
    ("gregory", "greg"),
    ("harold", "harry", "hal"),
    ("henry", "hank", "hal"),
    ("jacob", "jake"),
    ("james", "jim", "jimmy", "jamie", "jimbo"),
    ("jonathan", "jon", "jonny", "jonathon"),
    ("john", "jack", "johnny", "johnnie", "jock"),
    ("sean", "shaun", "shawn", "shane"),
    ("joseph", "joe", "joey", "jos"),
    ("joshua", "josh"),
    ("kenneth", "ken", "kenny"),
    ("lawrence", "laurence", "larry", "laurie"),
    ("leonard", "len", "lenny", "leo"),
    ("matthew", "matt", "matty", "mat"),
    ("michael", "mike", "mick", "micky", "mickey", "mikey", "mich"),
    ("mohammed", "muhammad", "mohamed", "mohammad", "muhammed", "mohd", "mo"),
    ("nathan", "nathaniel", "nat", "nate"),
    ("nicholas", "nick", "nicky", "nico", "nicolas"),
    ("oliver", "olly", "ollie"),
    ("patrick", "pat", "paddy", "patsy"),
    ("peter", "pete", "petey"),
    ("philip", "phillip", "phil", "pip"),
    ("raymond", "ray"),
    ("richard", "rich", "richie", "rick", "ricky", "dick"),
    ("robert", "rob", "robbie", "bob", "bobby", "bert", "robby"),
    ("ronald", "ron", "ronnie"),
    ("samuel", "sam", "sammy"),
    ("stanley", "stan"),
    ("stephen", "steven", "steve", "stevie", "stephan", "stefan"),
    ("stuart", "stewart", "stu"),
    ("terence", "terrence", "terry"),
    ("thomas", "tom", "tommy", "thom"),
    ("timothy", "tim", "timmy"),
    ("vincent", "vince", "vinny"),
    ("walter", "walt", "wally"),
    ("william", "will", "bill", "billy", "willie", "willy", "liam", "wills"),
    ("zachary", "zach", "zack", "zak"),
    # women
    ("abigail", "abby", "abbie", "gail"),
    ("alexandra", "alexa", "lexie", "sasha"),
    ("amanda", "mandy"),
    ("barbara", "barb", "babs"),
    (
        "catherine",
        "katherine",
        "kathryn",
        "katharine",
        "cathy",
        "kathy",
        "kate",
        "katie",
        "katy",
        "kath",
        "cath",
        "kat",
        "kitty",
    ),
    ("charlotte", "lottie", "charli"),
    ("christine", "christina", "chrissie", "tina"),
    ("deborah", "debra", "debbie", "deb", "debs"),
    ("dorothy", "dot", "dottie", "dolly"),
    ("eleanor", "elinor", "ellie", "nell", "nellie", "nora"),
    (
        "elizabeth",
        "liz",
        "lizzie",
        "lizzy",
        "beth",
        "betty",
        "bet",
        "eliza",
        "libby",
        "elspeth",
        "bess",
        "bessie",
        "liza",
    ),
    ("emily", "em", "emmy", "emilia"),
    ("frances", "fanny", "francesca"),
    ("gillian", "jillian", "gill", "jill"),
    ("helen", "helena", "nell"),
    ("jacqueline", "jackie", "jacqui"),
    ("jennifer", "jen", "jenny", "jenna"),
    ("jessica", "jess", "jessie"),
    ("joanne", "joanna", "jo"),
    ("josephine", "josie"),
    ("judith", "judy", "jude"),
    ("margaret", "maggie", "meg", "peggy", "marge", "madge", "greta", "margo"),
    ("mary", "molly", "polly", "mae"),
    ("natalie", "natasha", "tasha", "nat"),
    ("patricia", "patty", "patti", "trish", "tricia"),
    ("rebecca", "becky", "becca", "bex"),
    ("samantha", "sammie", "sammi"),
    ("sarah", "sara", "sally", "sadie"),
    ("susan", "sue", "susie", "suzy", "suzanne", "susanne"),
    ("theresa", "teresa", "tess", "tessa", "terri"),
    ("victoria", "vicky", "vicki", "tori", "vikki"),
    ("zoe", "zoey"),
)
"""Rows of ``(canonical given name, variant, variant, ...)``, all lower case."""

EXTRA_GROUPS: tuple[tuple[str, ...], ...] = (
    # common familiar forms of London's other naming traditions, and
    # ambiguous forms listed again under their second canonical name (a
    # variant keeps its first canonical name, but belongs to every group it
    # is listed in: see :func:`given_names_compatible`)
    ("terence", "terry", "tel", "terrence"),
    ("oluwaseun", "seun"),
    ("adebayo", "bayo"),
    ("olufunmilayo", "funmi"),
    ("krzysztof", "kris", "krzys", "krzysiek"),
    ("tomasz", "tomek", "tom"),
    ("agnieszka", "aga", "agnes"),
    ("katarzyna", "kasia", "kate"),
    ("mark", "marc", "marcus"),
    ("barbara", "barbra", "babs"),
    ("abigail", "abi", "abby", "abbie"),
    ("hayley", "haley", "hailey"),
    ("alexandra", "alex", "lexi"),
    ("alexander", "sasha"),
    ("nicola", "nicky", "nikki"),
    ("patricia", "pat"),
    ("samantha", "sam", "sammy"),
    ("christine", "chris"),
    ("josephine", "jo"),
    ("natalie", "nat"),
)
"""Further rows, read after :data:`NICKNAME_GROUPS` (first canonical name wins)."""


def _build() -> dict[str, str]:
    table: dict[str, str] = {}
    for group in (*NICKNAME_GROUPS, *EXTRA_GROUPS):
        canonical = group[0]
        for name in group:
            # first row wins: a variant listed twice keeps its first canonical name
            table.setdefault(name, canonical)
    return table


NICKNAMES: MappingProxyType[str, str] = MappingProxyType(_build())
"""Lower-case given name or nickname -> canonical given name."""


def canonical_given_name(name: str | None) -> str | None:
    """The canonical form of a lower-case given name (itself when not in the table).

    Parameters
    ----------
    name : str or None
        A normalised (lower-case, letters only) given name.

    Returns
    -------
    str or None
        ``"stephen"`` for ``"steve"``, ``"william"`` for ``"bill"``; the name
        unchanged when the table does not know it; ``None`` for ``None``.

    Examples
    --------
    >>> canonical_given_name("bill")
    'william'
    >>> canonical_given_name("zebedee")
    'zebedee'
    """
    if name is None:
        return None
    return NICKNAMES.get(name, name)


def _groups() -> dict[str, frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for group in (*NICKNAME_GROUPS, *EXTRA_GROUPS):
        for name in group:
            groups.setdefault(name, set()).add(group[0])
    return {name: frozenset(g) for name, g in groups.items()}


NAME_GROUPS: MappingProxyType[str, frozenset[str]] = MappingProxyType(_groups())
"""Lower-case given name -> every canonical name it may stand for (``"pat"``: Patrick, Patricia)."""


def given_name_groups(name: str) -> frozenset[str]:
    """Every canonical given name ``name`` may stand for (itself when the table does not know it).

    Examples
    --------
    >>> sorted(given_name_groups("pat"))
    ['patricia', 'patrick']
    """
    return NAME_GROUPS.get(name, frozenset((name,)))


def _members() -> dict[str, frozenset[str]]:
    members: dict[str, set[str]] = {}
    for group in (*NICKNAME_GROUPS, *EXTRA_GROUPS):
        members.setdefault(group[0], set()).update(group)
    return {canonical: frozenset(m) for canonical, m in members.items()}


GROUP_MEMBERS: MappingProxyType[str, frozenset[str]] = MappingProxyType(_members())
"""Canonical given name -> every name of its group(s), itself included."""


def given_name_forms(name: str) -> frozenset[str]:
    """Every form ``name`` may be written in: the members of all its nickname groups.

    Examples
    --------
    >>> "william" in given_name_forms("bill")
    True
    """
    forms: set[str] = {name}
    for canonical in given_name_groups(name):
        forms |= GROUP_MEMBERS.get(canonical, frozenset())
    return frozenset(forms)
