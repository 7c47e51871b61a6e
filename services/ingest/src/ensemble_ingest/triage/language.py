"""Detects a mention's language among the workspace's candidates (ISO 639-1)."""

from __future__ import annotations

import ctypes
import functools
import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from ensemble_ingest.triage.text import fold_words

# Frequent function words, folded like mention text (lowercase, no accents). A word listed for
# two languages ("de", "die", "no") proves nothing and is dropped when the index is built.
_FUNCTION_WORDS: dict[str, str] = {
    "en": "the and is are was were this that with have has had you your not but for its they"
    " them their there what when why how who been from would could should will just about all"
    " can get got my me we our us he she his her him of to be do does did at by an if or so no"
    " up out any than then too very really thanks thank because which still after again please"
    " yet ever only now here one some these those more most much never always today want need"
    " know think like love",
    "fr": "le les des est et je tu il ils elle elles nous vous on une un pas ne que qui du au aux"
    " avec pour dans sur ce cette ces mais ou tres plus sont suis ai avons avez ont etre ete fait"
    " mon ma mes ton ta tes votre vos leur leurs ca aussi bien trop toujours rien merci bonjour"
    " oui non deja encore jamais quand comme parce alors donc car sans chez tout tous toute"
    " toutes qu moi toi lui notre nos cela ceci apres depuis avant aujourd beaucoup pourquoi"
    " vraiment peut veux vais faut la de en se si me te",
    "de": "der die das und ist nicht ich sie wir ihr ein eine einen einem einer mit auf fur von"
    " zu den dem des auch sich aber noch nur wie wird sind hat haben kann mein meine dein bei"
    " nach schon sehr immer doch heute danke bitte wenn oder dass diese dieser dieses keine kein"
    " mehr mir mich dir dich uns euch warum jetzt hier gibt wurde war was wo ja nein gut gar"
    " ganz seit uber zum zur vom im am es du man",
    "es": "el los las que es en de por para con una un no pero muy mas como esta estoy del al"
    " lo le se su sus hay yo mi me te ya todo tambien gracias hola este esto ser tiene nada"
    " porque cuando donde hace hoy solo bien ahora algo siempre nunca tengo puede nos usted"
    " ustedes ellos eso esa fue era han ha he sin sobre entre desde hasta despues aqui asi vez"
    " dia bueno mucho poco",
    "it": "il lo la di che non per con una un sono del della dei degli delle gli le mi ti ma"
    " anche piu molto questo questa come cosa fatto grazie ciao sempre ancora perche tutto nel"
    " nella alla al ho hai ha essere bene solo stato sei siamo siete hanno voi noi lui lei loro"
    " mio mia tuo tua suo sua ci si se da dal dalla io tu pero oggi adesso niente nulla qui qua"
    " dove quando quanto proprio davvero gia",
    "nl": "de het een en van ik je niet dat die is op te met voor zijn er maar om ook als dan"
    " bij nog wel wat naar heb heeft hebben kan mijn jij jullie wij ze deze dit geen echt heel"
    " al zo uw bedankt dank goed weer nu hier waarom wordt worden was werd kunnen moet zou gaat"
    " niets alles altijd nooit vandaag hoe wie waar ons onze hun hem haar mij jou zich tot uit"
    " over door omdat want toch gewoon even pas",
    "pt": "os as um uma de do da dos das em no na nos nas que nao com por para se mais muito"
    " isso este esta eu voce ele ela meu minha seu sua mas tambem obrigado obrigada estou foi"
    " ser tem ja ao aos pelo pela ate sem quando porque como tudo nada agora aqui hoje ainda"
    " sempre nunca vai vou estamos sao ter fazer bem bom boa ola oi entao isto essa esse nossa"
    " nosso voces eles elas num numa pra pro",
}


def _function_word_index() -> dict[str, str]:
    """Word -> the one language it belongs to, without words shared by several languages."""
    seen: Counter[str] = Counter()
    for words in _FUNCTION_WORDS.values():
        seen.update(set(words.split()))
    return {
        word: language
        for language, words in _FUNCTION_WORDS.items()
        for word in words.split()
        if seen[word] == 1 and len(word) > 1
    }


_FUNCTION_WORD_INDEX = _function_word_index()
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    language: frozenset(words.split()) for language, words in _FUNCTION_WORDS.items()
}
# The function-word vote decides alone only when it is clear: at least this many distinct words
# of the winning language, and this many times as many as all other languages together.
_MIN_VOTES = 3
_MIN_LEAD = 3
# py3langid reads this many characters at most: the start of a post decides its language, and
# its cost grows with the length (about 0.12 µs a character here).
_CLASSIFIER_CHARACTERS = 300
# A single word rarely tells a language apart ("Merci", a brand name): below two, no answer.
_MIN_WORDS = 2

_NOISE = re.compile(
    r"https?://\S+|www\.\S+|@[\w.-]+(?:@[\w.-]+)?|#"
    r"|[\U0001F000-\U0001FAFF\u2190-\u2BFF\uFE00-\uFE0F\u200B-\u200D]"
)
_LETTER_RUNS = re.compile(r"[^\W\d_]{2,}")
# Each starts with a literal, which the regex engine skips to quickly: cheap on long texts.
_URLS = re.compile(r"https?://\S+")
_HANDLES = re.compile(r"@[\w.-]+")


@dataclass(frozen=True)
class _Automaton:
    """What every restricted identifier shares: the model's byte automaton (about 40 MB)."""

    nextmove: Any
    output: Any
    rowbase: Any
    languages: frozenset[str]


def _loaded() -> Any:
    """py3langid's whole model, read from its file (about a second, 73 MB resident)."""
    return LanguageIdentifier.from_model_file(MODEL_FILE)


@functools.cache
def _automaton() -> _Automaton:
    full = _loaded()
    return _Automaton(full.tk_nextmove, full.tk_output, full._rowbase, frozenset(full.nb_classes))


def known_languages() -> frozenset[str]:
    """Language codes py3langid can tell apart."""
    return _automaton().languages


@functools.lru_cache(maxsize=64)
def _identifier(candidates: tuple[str, ...]) -> Any:
    """A py3langid identifier restricted to the candidates, sharing the one automaton. The
    model's table of every language (28 MB) is not kept: a new set of candidates (rare: most
    workspaces share one) reads the model again rather than hold it for ever."""
    identifier = _loaded()
    identifier.set_languages(list(candidates))
    shared = _automaton()
    identifier.tk_nextmove, identifier.tk_output = shared.nextmove, shared.output
    identifier._rowbase = shared.rowbase
    identifier._full_model = None
    _give_back_freed_memory()
    return identifier


def _give_back_freed_memory() -> None:
    """glibc keeps the memory a model load freed (about 35 MB) in the process unless asked to
    return it to the system: ask (a no-op where the C library is not glibc)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.malloc_trim(0)


def _noise_words(text: str) -> frozenset[str]:
    """The words of the text's URLs and @handles, which must not vote ("/the/best/page")."""
    noise = _URLS.findall(text) if "/" in text else []
    if "@" in text:
        noise += _HANDLES.findall(text)
    return frozenset(fold_words(" ".join(noise))) if noise else frozenset()


def strip_noise(text: str) -> str:
    """The text without URLs, @handles, hashtag marks and emoji, which say nothing of language."""
    return _NOISE.sub(" ", text)


class LanguageDetector:
    """Detects languages among fixed candidates; build it once, call `detect` per mention."""

    def __init__(self, candidates: Iterable[str]) -> None:
        self.candidates = tuple(sorted({code.strip().lower() for code in candidates}))
        if not self.candidates:
            raise ValueError("at least one candidate language is needed")
        unknown = set(self.candidates) - known_languages()
        if unknown:
            raise ValueError(f"unknown language code(s): {', '.join(sorted(unknown))}")
        self._identifier = _identifier(self.candidates)
        # The vote is only fair when every candidate has its function words listed.
        self._can_vote = len(self.candidates) > 1 and all(
            code in _FUNCTION_WORDS for code in self.candidates
        )
        # Word -> one byte, the index of its language: a text's votes become a bytes object
        # whose count() per language runs in C.
        self._ballot = {
            word: bytes((self.candidates.index(language),))
            for word, language in _FUNCTION_WORD_INDEX.items()
            if language in self.candidates
        }
        self._ballot_words = frozenset(self._ballot)

    def detect(self, text: str, words: Collection[str] | None = None) -> str | None:
        """ISO 639-1 code of the text's language, or None when the text says too little.

        `words` are the text's folded tokens when the caller has them already (a set is best).
        A clear function-word vote decides at once; otherwise py3langid reads the start of the
        text, stripped of URLs, handles and emoji.
        """
        if self._can_vote:
            voted = self._vote(fold_words(text) if words is None else words, text)
            if voted is not None:
                return voted
        cleaned = strip_noise(text[: _CLASSIFIER_CHARACTERS * 2])[:_CLASSIFIER_CHARACTERS]
        if len(_LETTER_RUNS.findall(cleaned)) < _MIN_WORDS:
            return None
        if len(self.candidates) == 1:
            return self.candidates[0]
        language: str = self._identifier.classify(cleaned)[0]
        return language

    def _vote(self, words: Collection[str], text: str) -> str | None:
        """The language whose function words clearly dominate the text, if one does."""
        distinct = words if isinstance(words, frozenset | set) else frozenset(words)
        voters = self._ballot_words & distinct
        if len(voters) >= _MIN_VOTES and ("/" in text or "@" in text):
            voters -= _noise_words(text)
        if len(voters) < _MIN_VOTES:
            return None
        votes = b"".join(map(self._ballot.__getitem__, voters))
        tally = [votes.count(index) for index in range(len(self.candidates))]
        best_votes = max(tally)
        if best_votes >= _MIN_LEAD * (len(votes) - best_votes):
            return self.candidates[tally.index(best_votes)]
        return None
