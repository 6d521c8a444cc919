"""Every message exists in English and Korean with the same fields."""

import pytest

from bot.i18n.catalog import CatalogError, catalog, language_for_locale, load_catalog


def test_every_message_renders_in_english_and_korean():
    messages = catalog()
    assert len(messages.keys()) > 20
    for key in messages.keys():  # noqa: SIM118 (a Catalog, not a dict)
        values = {name: "x" for name in messages.fields(key)}
        english, korean = messages.text(key, "en", **values), messages.text(key, "ko", **values)
        assert english.strip() and korean.strip(), key
        assert "{" not in english + korean, key


@pytest.mark.parametrize(("locale", "lang"), [("ko-KR", "ko"), ("en-US", "en"), ("ja-JP", "en"), ("", "en")])
def test_the_language_comes_from_the_slack_locale(locale, lang):
    assert language_for_locale(locale) == lang


def test_a_missing_translation_is_refused(tmp_path):
    (tmp_path / "x.toml").write_text('[greeting]\nen = "Hello {name}"\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="no ko"):
        load_catalog(tmp_path)


def test_different_fields_in_the_two_languages_are_refused(tmp_path):
    (tmp_path / "x.toml").write_text('[greeting]\nen = "Hello {name}"\nko = "안녕하세요 {user}"\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="different fields"):
        load_catalog(tmp_path)
