"""La base objetivo: formas de URL aceptadas y rechazadas, archivos SQLite que no se crean
al pasar, la carpeta de datos predeterminada y el enmascarado de la contraseña."""

from __future__ import annotations

import json
import os
import stat

import pytest

from amauta_cli.objetivo import UrlInvalida, desde_url
from conftest import invocar, url_pg


def _arbol(carpeta) -> list[str]:
    return sorted(str(p.relative_to(carpeta)) for p in carpeta.rglob("*"))


# --- Formas rechazadas (defectos de "Por qué": ninguna crea nada) ---------------------------------
@pytest.mark.rapida
@pytest.mark.parametrize(
    "url,esperado",
    [
        ("postgresql//postgres@host/db", "¿Quiso decir `postgresql://postgres@host/db`?"),
        ("esto no es una url", "Formas aceptadas: postgresql://"),
        ("mysql://u@h/d", "un motor que amauta no maneja"),
        ("postgresql://u@h:puerto/d", "puerto inválido"),
    ],
)
def test_url_mal_escrita_se_rechaza_sin_crear_nada(url, esperado, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in (["db", "migrate"], ["db", "estado"], ["usuarios", "listar"], ["seed", "--si"]):
        r = invocar(url, *args)
        assert r.codigo == 2, (args, r.texto)
        assert esperado in r.stderr, r.stderr
        assert "sqlite:///ruta/al/archivo.db" in r.stderr
        assert "✓" not in r.texto and "Traceback" not in r.texto
    assert _arbol(tmp_path) == []
    assert not (tmp_path / "xdg-data").exists()


def test_una_ruta_a_secas_sugiere_la_url_sqlite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = invocar("datos/amauta.db", "db", "migrate")
    assert r.codigo == 2
    assert f"¿quiso decir `sqlite:///{tmp_path}/datos/amauta.db`?" in r.stderr
    r = invocar(str(tmp_path / "x.db"), "usuarios", "listar")
    assert r.codigo == 2
    assert f"¿quiso decir `sqlite:///{tmp_path}/x.db`?" in r.stderr
    assert _arbol(tmp_path) == []


def test_la_url_mal_escrita_en_la_variable_tambien_se_rechaza(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AMAUTA_DATABASE_URL", "postgres//u:secreta@h/db")
    r = invocar(None, "db", "estado")
    assert r.codigo == 2
    assert "AMAUTA_DATABASE_URL" in r.stderr and "secreta" not in r.stderr
    # La ayuda sigue disponible aunque la URL configurada esté mal.
    assert invocar(None, "db", "estado", "--help").codigo == 0


def test_formas_aceptadas():
    for url in ("postgresql://u@h/d", "postgres://u@h/d", "postgresql+psycopg://u@h/d"):
        o = desde_url(url)
        assert (o.motor, o.url, o.nombre_base, o.host, o.puerto) == (
            "postgresql",
            "postgresql+psycopg://u@h/d",
            "d",
            "h",
            5432,
        )
    o = desde_url("sqlite:////tmp/a b/x.db")
    assert (o.motor, str(o.ruta), o.nombre_base) == ("sqlite", "/tmp/a b/x.db", "/tmp/a b/x.db")
    with pytest.raises(UrlInvalida):
        desde_url("sqlite://x.db")  # dos barras: un "host", no un archivo


@pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
@pytest.mark.parametrize("esquema_url", ["postgresql://", "postgres://", "postgresql+psycopg://"])
def test_las_tres_formas_de_postgresql_funcionan(bd, esquema_url):
    url = bd.url.replace("postgresql+psycopg://", esquema_url)
    r = invocar(url, "db", "estado", "--formato", "json")
    assert r.codigo == 0, r.texto
    assert json.loads(r.stdout)["al_dia"] is True


# --- Archivos SQLite: solo migrate, seed y restore crean ----------------------------------------
@pytest.mark.rapida
@pytest.mark.parametrize(
    "args",
    [
        ["db", "estado"],
        ["db", "historial"],
        ["db", "verificar"],
        ["db", "entorno"],
        ["db", "rollback", "--si"],
        ["usuarios", "listar"],
        ["grupos", "listar"],
        ["asistencia", "pendientes"],
        ["calificaciones", "desaprobados"],
        ["db", "backup"],
    ],
)
def test_ningun_otro_comando_crea_la_base_sqlite(args, tmp_path):
    ruta = tmp_path / "nueva.db"
    r = invocar(f"sqlite:///{ruta}", *args)
    assert r.codigo == 1, r.texto
    assert f"La base SQLite {ruta} no existe" in r.stderr, r.stderr
    assert "`amauta db migrate`" in r.stderr
    assert _arbol(tmp_path) == []


def test_la_base_predeterminada_no_se_crea_al_consultarla(tmp_path):
    r = invocar(None, "usuarios", "listar")
    assert r.codigo == 1
    assert "no existe" in r.stderr and "`amauta db migrate`" in r.stderr
    assert not (tmp_path / "xdg-data").exists()


def test_migrate_no_crea_carpetas_a_partir_de_una_url(tmp_path):
    ruta = tmp_path / "no" / "existe" / "x.db"
    respaldo = tmp_path / "r.db.gz"
    respaldo.write_bytes(b"")
    for args in (["db", "migrate"], ["seed", "--si"], ["db", "restore", str(respaldo), "--si"]):
        r = invocar(f"sqlite:///{ruta}", *args)
        assert r.codigo == 1, r.texto
        assert f"la carpeta {ruta.parent} no existe" in r.stderr
        assert f"mkdir -p {ruta.parent}" in r.stderr
    assert _arbol(tmp_path) == ["r.db.gz"]


def test_migrate_crea_el_archivo_en_una_carpeta_existente_con_modo_600(tmp_path):
    ruta = tmp_path / "x.db"
    r = invocar(f"sqlite:///{ruta}", "db", "migrate")
    assert r.codigo == 0, r.texto
    assert stat.S_IMODE(ruta.stat().st_mode) == 0o600
    assert invocar(f"sqlite:///{ruta}", "db", "estado").codigo == 0


def test_la_carpeta_predeterminada_se_crea_700_y_el_archivo_600(tmp_path):
    os.umask(0o022)
    r = invocar(None, "db", "migrate")
    assert r.codigo == 0, r.texto
    carpeta = tmp_path / "xdg-data" / "amauta"
    assert stat.S_IMODE(carpeta.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "xdg-data").stat().st_mode) == 0o700
    assert stat.S_IMODE((carpeta / "amauta.db").stat().st_mode) == 0o600


# --- Enmascarado -----------------------------------------------------------------------------------
def test_enmascarar_solo_donde_la_url_lleva_la_contrasena():
    o = desde_url("postgresql://postgres:x@localhost/amauta")
    assert o.url_enmascarada == "postgresql+psycopg://postgres:***@localhost/amauta"
    assert o.enmascarar("No existe el usuario 'x@x.com'.") == "No existe el usuario 'x@x.com'."
    assert o.enmascarar(f"falló {o.url}") == f"falló {o.url_enmascarada}"
    assert o.enmascarar("conninfo: host=h password=x dbname=d") == "conninfo: host=h password=*** dbname=d"


@pytest.mark.parametrize(
    "url,secreto",
    [
        ("postgresql://u@h/d?password=Secreto99&sslmode=disable", "Secreto99"),
        ("postgresql://u:Secr/et@99@h/d", "Secr/et@99"),
        ("postgresql://u:Secr%2Fet%4099@h/d", "Secr/et@99"),
    ],
)
def test_la_contrasena_nunca_queda_a_la_vista(url, secreto):
    o = desde_url(url)
    assert "Secr" not in o.url_enmascarada
    assert (o.host, o.nombre_base, o.usuario) == ("h", "d", "u")
    for texto in (url, o.url, f"error en {url}: algo", f"password={secreto}"):
        assert "Secr" not in o.enmascarar(texto), texto


@pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
def test_contrasena_x_no_corrompe_los_mensajes(cli, bd):
    url = bd.url.replace("postgres@", "postgres:x@")
    r = invocar(url, "usuarios", "ver", "nadie@ejemplo.com")
    assert r.codigo == 1
    assert "No existe un usuario con el email 'nadie@ejemplo.com'" in r.stderr
    assert "***" not in r.stderr


@pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
@pytest.mark.parametrize("forma", ["consulta", "barra_y_arroba"])
def test_contrasena_en_la_consulta_o_con_barra_y_arroba(bd, forma, tmp_path):
    nombre = bd.url.rsplit("/", 1)[1]
    if forma == "consulta":
        url = f"{bd.url}?password=Clave/Rara@1"
    else:
        url = bd.url.replace("postgres@", "postgres:Clave/Rara@1@")
    r = invocar(url, "db", "estado", "--formato", "json")
    assert r.codigo == 0, r.texto
    assert "Clave" not in r.texto
    assert json.loads(r.stdout)["base"] == nombre
    # db backup se conecta con la misma URL (antes fallaba con la '/' en la clave).
    r = invocar(url, "db", "backup", "--salida", str(tmp_path / "r.dump"))
    assert r.codigo == 0, r.texto
    assert "Clave" not in r.texto
    assert "Clave" not in (tmp_path / "r.dump.json").read_text()
    assert url_pg(nombre)  # la base sigue siendo la misma
