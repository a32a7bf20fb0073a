from django import template

register = template.Library()

NUMBER_WORDS = {1: "ONE", 2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE", 6: "SIX"}


@register.filter
def select_words(count: int) -> str:
    """3 -> 'THREE', as the real exam writes it in '(Select THREE.)'."""
    return NUMBER_WORDS.get(count, str(count))


@register.filter
def clock(seconds) -> str:
    """Seconds as H:MM:SS, the way the exam's timer shows them."""
    if seconds is None:
        return "untimed"
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
