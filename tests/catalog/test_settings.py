from catalog.settings import DEFAULT_DATABASE_URL, Settings, normalize_database_url


def test_defaults_to_a_sqlite_file_in_the_working_directory():
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite:///townhall.sqlite3"
    assert settings.default_team == "local"
    assert not settings.is_postgres


def test_blank_values_count_as_absent():
    assert Settings.from_env({"DATABASE_URL": "  ", "TOWNHALL_TEAM": ""}) == Settings()


def test_postgres_urls_use_the_psycopg_driver():
    for given in ("postgres://u:p@db:5432/x", "postgresql://u:p@db:5432/x"):
        assert normalize_database_url(given) == "postgresql+psycopg://u:p@db:5432/x"
    settings = Settings.from_env({"DATABASE_URL": "postgres://u@h/db", "TOWNHALL_TEAM": "T9"})
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.is_postgres
    assert settings.default_team == "T9"


def test_other_urls_are_kept():
    for url in ("sqlite:////tmp/x.db", "postgresql+psycopg://u@h/db", "sqlite://"):
        assert normalize_database_url(url) == url
