"""Texts of the participant sheet (the web sheet, :mod:`transferkit.sheets.web`), in German and English.

The confirmation, error summary, code hints and legend; the moderator
screens' error panels take their titles from here too. :func:`text` gives one text in a language (``de`` is the default,
anything but ``en`` gives German), :func:`texts` all of them at once (the web
sheet hands them to its script).

Examples
--------
>>> text("confirm", "de", n=17)
'✔ Vielen Dank! Ihre Antworten sind gespeichert (Nr. 17).'
>>> text("summary", "en", n=2)
'Not saved yet: 2 answer(s) missing or invalid – see the questions marked in red.'
>>> text("legend", "fr")
'* Pflichtfeld'
"""

from __future__ import annotations

from typing import Any

__all__ = ["STATUS_LABELS", "TEXTS", "text", "texts"]

#: Every text as ``(German, English)``; ``{name}`` marks a value filled in by :func:`text`.
TEXTS: dict[str, tuple[str, str]] = {
    # the page
    "legend": ("* Pflichtfeld", "* required"),
    "pilot": ("Pilot", "Pilot"),
    "loop": ("Schleife", "Loop"),
    "code_label": ("Code", "Code"),
    "page_error_title": (
        "Dieser Bogen kann nicht geöffnet werden",
        "This sheet cannot be opened",
    ),
    "unexpected_error": (
        "Ein unerwarteter Fehler ist aufgetreten. Bitte wenden Sie sich an die Moderation.",
        "An unexpected error occurred. Please tell the moderator.",
    ),
    "forbidden": (
        ("Dieser Link ist nicht vollständig: Bitte öffnen Sie den Link oder QR-Code der "
         "Moderation (mit Zugangsschlüssel)."),
        ("This link is incomplete: please open the link or QR code from the moderator "
         "(it carries an access key)."),
    ),
    "noscript": (
        "Dieser Bogen braucht JavaScript: Bitte im Browser einschalten oder die Moderation fragen.",
        "This sheet needs JavaScript: please switch it on in the browser or ask the moderator.",
    ),
    # step 1: participant code
    "code_intro": (
        ("Bitte geben Sie Ihren Teilnahme-Code ein (keinen Namen!) – oder lassen Sie sich "
         "einen erzeugen und notieren Sie ihn. Mit demselben Code können Sie später weitermachen."),
        ("Please enter your participant code (not your name!) – or generate one and note it "
         "down. With the same code you can continue later."),
    ),
    "code_placeholder": ("z. B. K7M4QX", "e.g. K7M4QX"),
    "code_continue": ("Weiter", "Continue"),
    "code_generate": ("Code erzeugen", "Generate a code"),
    # a code refused (transferkit.privacy.code_problem): as a name, or for its shape
    "code_name": (
        "Das sieht nach einem Namen aus – bitte geben Sie Ihren Code ein, z. B. K7M4QX.",
        "This looks like a name – please use your code, e.g. K7M4QX.",
    ),
    "code_shape": (
        ("Das ist kein Code: ein Code hat 3–32 Zeichen (A–Z, 0–9, _ . -) und enthält Ziffern, "
         "z. B. K7M4QX."),
        ("This is not a code: a code has 3–32 characters (A–Z, 0–9, _ . -) and contains digits, "
         "e.g. K7M4QX."),
    ),
    "code_refused": (  # either of the two, when it is not known which
        "Bitte geben Sie Ihren Code ein, keinen Namen: 3–32 Zeichen mit Ziffern, z. B. K7M4QX.",
        "Please enter your code, not your name: 3–32 characters with digits, e.g. K7M4QX.",
    ),
    # step 2: the form
    "submit": ("Absenden", "Submit"),
    "rank_hint": (
        "Rang 1 = am wichtigsten (bis Rang {n})",
        "rank 1 = most important (down to rank {n})",
    ),
    "points_left": (
        "Noch <b>{left}</b> von {budget} Punkten",
        "<b>{left}</b> of {budget} points left",
    ),
    "ideas_refresh": ("Ideen aktualisieren", "Refresh ideas"),
    "ideas_none": (
        "Noch keine Ideen – bitte gleich noch einmal aktualisieren.",
        "No ideas yet – please refresh in a moment.",
    ),
    "add_row": ("Zeile hinzufügen", "Add row"),
    "add_action": ("Maßnahme hinzufügen", "Add action item"),
    "add_goal": ("Ziel hinzufügen", "Add goal"),
    "remove_row": ("Zeile entfernen", "Remove row"),
    "what": ("Was?", "What?"),
    "who": ("Wer? (Rolle oder Code)", "Who? (role or code)"),
    "due": ("bis", "due"),
    "status": ("Status", "Status"),
    "goal": ("Ziel", "Goal"),
    "weight": ("Gewicht", "Weight"),
    "level": ("Stufe {level}: …", "level {level}: …"),
    "baseline": ("Ausgang", "Baseline"),
    "follow_up": ("Erreicht", "Follow-up"),
    "duplicate_rank": (
        "Jeder Rang darf nur einmal vergeben werden.",
        "Give each rank only once.",
    ),
    # step 3: submit
    "summary": (
        ("Noch nicht gespeichert: {n} Angabe(n) fehlen oder sind ungültig – siehe rot "
         "markierte Fragen."),
        "Not saved yet: {n} answer(s) missing or invalid – see the questions marked in red.",
    ),
    "save_failed": ("Speichern fehlgeschlagen: ", "Could not save: "),
    "store_unavailable": (
        ("Speichern ist gerade nicht möglich. Ihre Antworten bleiben erhalten – bitte in "
         "einem Moment noch einmal „Absenden“ drücken."),
        ("Saving is not possible right now. Your answers are kept – please press "
         "“Submit” again in a moment."),
    ),
    "offline": (
        ("Keine Verbindung zum Server. Ihre Antworten bleiben auf dieser Seite – bitte "
         "gleich noch einmal versuchen."),
        ("No connection to the server. Your answers stay on this page – please try again "
         "in a moment."),
    ),
    "sending": ("Wird gesendet …", "Sending …"),
    "confirm": (
        "✔ Vielen Dank! Ihre Antworten sind gespeichert (Nr. {n}).",
        "✔ Thank you! Your answers have been saved (no. {n}).",
    ),
    "confirm_again": (
        "Sie hatten diesen Bogen mit diesem Code bereits abgeschickt.",
        "You had already submitted this sheet with this code.",
    ),
    "already_sent": (
        ("Dieser Bogen wurde mit diesem Code bereits abgeschickt. Die Antworten werden aus "
         "Datenschutzgründen nicht mehr angezeigt."),
        ("This sheet has already been sent with this code. For privacy, the answers are not "
         "shown again."),
    ),
    "store_full": (
        ("Speichern ist nicht möglich: Der Speicher des Servers ist voll oder schreibgeschützt. "
         "Ihre Antworten bleiben auf dieser Seite – bitte sagen Sie der Moderation Bescheid."),
        ("Saving is not possible: the server's storage is full or read-only. Your answers stay "
         "on this page – please tell the moderator."),
    ),
    "quota": (
        ("Für diesen Code oder diese Veranstaltung sind keine weiteren Entwürfe möglich. "
         "Bitte sagen Sie der Moderation Bescheid."),
        ("No more drafts are possible for this code or this event. Please tell the moderator."),
    ),
    "draft_too_large": (
        "Der Entwurf ist zu groß zum Zwischenspeichern; bitte kürzen Sie lange Texte.",
        "The draft is too large to be saved; please shorten long texts.",
    ),
    "unknown_pilot": (
        ("Dieser Link ist nicht gültig: Das Pilotprojekt {pilot} gibt es hier nicht. Bitte "
         "fragen Sie die Moderation nach dem richtigen Link oder QR-Code."),
        ("This link is not valid: there is no pilot project {pilot} here. Please ask the "
         "moderator for the right link or QR code."),
    ),
    "loop_out_of_range": (
        ("Dieser Link ist nicht gültig: Schleife {loop} ist für das Pilotprojekt {pilot} nicht "
         "geplant (1–{loops}). Bitte fragen Sie die Moderation nach dem richtigen Link."),
        ("This link is not valid: loop {loop} is not planned for pilot project {pilot} "
         "(1–{loops}). Please ask the moderator for the right link."),
    ),
}

#: Labels of the ``status`` of an action item.
STATUS_LABELS: dict[str, dict[str, str]] = {
    "de": {
        "open": "offen",
        "done": "erledigt",
        "carried_over": "übertragen",
        "dropped": "verworfen",
    },
    "en": {"open": "open", "done": "done", "carried_over": "carried over", "dropped": "dropped"},
}


def text(key: str, lang: str = "de", **values: Any) -> str:
    """The text ``key`` in ``lang`` with ``{name}`` placeholders filled from ``values``.

    Raises ``KeyError`` for an unknown key (a typo in the code, not a user error).
    """
    de, en = TEXTS[key]
    chosen = en if lang == "en" else de
    return chosen.format(**values) if values else chosen


def texts(lang: str = "de") -> dict[str, str]:
    """Every text in ``lang``, placeholders left as they are (for the web sheet's script)."""
    return {key: (en if lang == "en" else de) for key, (de, en) in TEXTS.items()}
