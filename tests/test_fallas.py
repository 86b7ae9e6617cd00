"""Fallas del entorno: conexión cortada, deadlock, serialización, tiempo de espera, disco lleno,
solo lectura, sin permiso, carpeta inexistente. Cada una es un párrafo en español, código 1,
nunca "Error inesperado ... repórtelo", y no deja nada escrito.

Donde se puede, la falla es real: ``pg_terminate_backend`` de la conexión del comando desde
otra conexión, un deadlock de verdad entre dos transacciones, un sistema de archivos tmpfs
pequeño o montado solo lectura, ``/dev/full``, un usuario sin permisos.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from conftest import PG_ADMIN_URL, invocar

AMAUTA = str(Path(sys.executable).parent / "amauta")
INESPERADO = ("Error inesperado", "repórtelo", "Traceback")


def _sin_bug(texto: str) -> None:
    for s in INESPERADO:
        assert s not in texto, texto


def _lanzar(url: str, *args: str, env: dict[str, str] | None = None, usuario: str | None = None) -> subprocess.Popen:
    entorno = {**os.environ, "COLUMNS": "200", **(env or {})}
    pre: list[str] = []
    if usuario is not None:
        import pwd

        u = pwd.getpwnam(usuario)
        pre = ["setpriv", f"--reuid={u.pw_uid}", f"--regid={u.pw_gid}", "--clear-groups"]
    return subprocess.Popen(
        [*pre, AMAUTA, "--db-url", url, *args],
        env=entorno, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _correr(url: str, *args: str, **kw) -> tuple[int, str]:
    p = _lanzar(url, *args, **kw)
    out, err = p.communicate(timeout=120)
    return p.returncode, out + err


def _admin():
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True)


def _conectar(url: str):
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return psycopg.connect(
        host=u.host, port=u.port, user=u.username, dbname=u.database, autocommit=False
    )


def _esperar_bloqueado(base: str, timeout: float = 30) -> int:
    """El pid del proceso amauta que espera un bloqueo en ``base``."""
    fin = time.time() + timeout
    with _admin() as c:
        while time.time() < fin:
            fila = c.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = 'amauta' "
                "AND wait_event_type = 'Lock'",
                (base,),
            ).fetchone()
            if fila:
                return fila[0]
            time.sleep(0.05)
    raise AssertionError("el comando nunca quedó esperando el bloqueo")


def _csv_actualizar(tmp_path: Path, filas: list[tuple[str, str]]) -> str:
    ruta = tmp_path / "act.csv"
    lineas = ["email,nombre,apellido,rol"] + [f"{e},{n},Cambiado,ESTUDIANTE" for e, n in filas]
    ruta.write_text("\n".join(lineas) + "\n", encoding="utf-8")
    return str(ruta)


ALUMNOS = ["lucas.fernandez@mail.com", "valentina.ruiz@mail.com"]


# --- PostgreSQL: conexión cortada, deadlock, serialización, tiempo de espera --------------------------
@pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
def test_conexion_terminada_en_medio_del_comando(bd_seed, tmp_path):
    base = bd_seed.url.rsplit("/", 1)[1]
    antes = bd_seed.instantanea()
    t = _conectar(bd_seed.url)
    try:
        t.execute('LOCK TABLE "Usuario" IN ACCESS EXCLUSIVE MODE')
        p = _lanzar(bd_seed.url, "usuarios", "importar", _csv_actualizar(tmp_path, [(ALUMNOS[0], "X")]), "--actualizar")
        pid = _esperar_bloqueado(base)
        with _admin() as a:
            a.execute("SELECT pg_terminate_backend(%s)", (pid,))
        out, err = p.communicate(timeout=60)
    finally:
        t.rollback()
        t.close()
    assert p.returncode == 1, out + err
    assert "Se perdió la conexión con el servidor PostgreSQL" in err
    assert "La transacción se deshizo: no se escribió nada." in err
    assert "pg_isready -h 127.0.0.1 -p 5432" in err
    _sin_bug(out + err)
    assert bd_seed.instantanea() == antes


@pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
def test_deadlock_real_entre_dos_transacciones(bd_seed, tmp_path):
    """amauta actualiza A y espera B (tomado por otra transacción), que a su vez pide A."""
    base = bd_seed.url.rsplit("/", 1)[1]
    antes = bd_seed.instantanea()
    t = _conectar(bd_seed.url)
    try:
        t.execute('SELECT 1 FROM "Usuario" WHERE email = %s FOR UPDATE', (ALUMNOS[1],))
        p = _lanzar(
            bd_seed.url, "usuarios", "importar",
            _csv_actualizar(tmp_path, [(ALUMNOS[0], "X"), (ALUMNOS[1], "Y")]), "--actualizar",
        )
        _esperar_bloqueado(base)
        try:
            # Cierra el ciclo; amauta esperaba primero, así que es a quien la base cancela.
            t.execute('UPDATE "Usuario" SET nombre = nombre WHERE email = %s', (ALUMNOS[0],))
        finally:
            t.rollback()
        out, err = p.communicate(timeout=60)
    finally:
        t.close()
    assert p.returncode == 1, out + err
    assert "se trabaron mutuamente (deadlock" in err
    assert "La transacción se deshizo: no se escribió nada." in err
    assert "Vuelva a ejecutar el comando" in err
    _sin_bug(out + err)
    assert bd_seed.instantanea() == antes


@pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
def test_error_de_serializacion_real(bd_seed, tmp_path):
    """En SERIALIZABLE, otra transacción cambia la fila que amauta está por actualizar."""
    base = bd_seed.url.rsplit("/", 1)[1]
    t = _conectar(bd_seed.url)
    try:
        t.execute('UPDATE "Usuario" SET nombre = %s WHERE email = %s', ("Otro", ALUMNOS[0]))
        p = _lanzar(
            bd_seed.url, "usuarios", "importar", _csv_actualizar(tmp_path, [(ALUMNOS[0], "X")]),
            "--actualizar", env={"PGOPTIONS": "-c default_transaction_isolation=serializable"},
        )
        _esperar_bloqueado(base)
        t.commit()
        out, err = p.communicate(timeout=60)
    finally:
        t.close()
    assert p.returncode == 1, out + err
    assert "error de serialización" in err and "no se escribió nada" in err
    _sin_bug(out + err)
    assert bd_seed.valor('SELECT nombre FROM "Usuario" WHERE email = :e', e=ALUMNOS[0]) == "Otro"


@pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
def test_tiempo_de_espera_de_un_bloqueo(bd_seed):
    t = _conectar(bd_seed.url)
    try:
        t.execute('LOCK TABLE "Usuario" IN ACCESS EXCLUSIVE MODE')
        codigo, texto = _correr(
            bd_seed.url, "usuarios", "listar", env={"PGOPTIONS": "-c lock_timeout=300"}
        )
    finally:
        t.rollback()
        t.close()
    assert codigo == 1, texto
    assert "Se agotó el tiempo de espera" in texto and "pg_stat_activity" in texto
    _sin_bug(texto)


@pytest.mark.parametrize(
    "sqlstate,esperado",
    [
        ("53100", "se llenó"),
        ("25006", "solo acepta lecturas"),
        ("57P03", "no acepta conexiones en este momento"),
        ("53300", "ya tiene todas las conexiones"),
        ("40001", "error de serialización"),
    ],
)
def test_cada_sqlstate_del_entorno_tiene_su_parrafo(sqlstate, esperado):
    import psycopg.errors
    from sqlalchemy import exc

    from amauta_cli.db import error_de_conexion

    orig = psycopg.errors.lookup(sqlstate)("mensaje del servidor en inglés")
    t = error_de_conexion(exc.OperationalError("SELECT 1", {}, orig), "postgresql://u:clave@h:5/d")
    assert t is not None and esperado in t.mensaje
    assert "clave" not in t.mensaje


def test_conexion_perdida_al_confirmar_no_promete_nada():
    import psycopg.errors
    from sqlalchemy import exc

    from amauta_cli.db import error_de_conexion
    from amauta_cli.fallas import marcar_en_commit

    e = exc.OperationalError("COMMIT", {}, psycopg.errors.AdminShutdown("terminating connection"))
    marcar_en_commit(e)
    t = error_de_conexion(e, "postgresql://u@h/d")
    assert "no se puede saber si los cambios llegaron a guardarse" in t.mensaje
    assert "no se escribió nada" not in t.mensaje


# --- Archivos: disco lleno, solo lectura, sin permiso, carpeta inexistente ---------------------------
def test_salida_a_un_disco_lleno(cli_seed, bd_seed):
    codigo, texto = _correr(bd_seed.url, "usuarios", "exportar")
    assert codigo == 0
    with open("/dev/full", "w") as lleno:
        p = subprocess.run(
            [AMAUTA, "--db-url", bd_seed.url, "usuarios", "exportar"],
            stdout=lleno, stderr=subprocess.PIPE, text=True, timeout=120,
        )
    assert p.returncode == 1
    assert "No se pudo escribir la salida: el disco está lleno." in p.stderr
    _sin_bug(p.stderr)
    assert "Exception ignored" not in p.stderr


def test_html_en_una_carpeta_que_no_existe(cli_seed, tmp_path):
    destino = tmp_path / "no" / "existe" / "r.html"
    r = cli_seed("asistencia", "reporte", "--grupo", "4to Grado A", "--mes", "2024-03", "--html", str(destino))
    assert r.codigo == 1
    assert f"la carpeta {destino.parent} no existe" in r.stderr
    _sin_bug(r.texto)


@pytest.fixture
def tmpfs(tmp_path):
    """Un tmpfs pequeño (1,5 MB); se salta donde no se puede montar (sin privilegios)."""
    punto = tmp_path / "tmpfs"
    punto.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", str(punto)], capture_output=True)
    if r.returncode != 0:
        pytest.skip("no se puede montar un tmpfs aquí (hace falta ser root)")
    try:
        yield punto
    finally:
        from amauta_cli.db import cerrar_motores

        cerrar_motores()
        subprocess.run(["umount", "-l", str(punto)], capture_output=True)


@pytest.mark.rapida
@pytest.mark.parametrize("motor", ["sqlite"], indirect=True)
def test_sqlite_disco_lleno(bd_seed, tmpfs, tmp_path):
    ruta = tmpfs / "amauta.db"
    shutil.copyfile(bd_seed.url.split("///", 1)[1], ruta)
    url = f"sqlite:///{ruta}"
    antes = invocar(url, "usuarios", "listar", "--formato", "json").stdout
    relleno = tmpfs / "relleno"
    libre = shutil.disk_usage(tmpfs).free
    relleno.write_bytes(b"\0" * max(libre - 96 * 1024, 0))
    filas = ["email,nombre,apellido,rol"] + [
        # Nombres y apellidos largos (dentro de los límites de 100 caracteres) que no caben.
        f"alumno{i}@mail.com,Nombre{i} {'x' * 85},Apellido{i} {'y' * 85},ESTUDIANTE" for i in range(3000)
    ]
    csv = tmp_path / "muchos.csv"
    csv.write_text("\n".join(filas) + "\n", encoding="utf-8")
    codigo, texto = _correr(url, "usuarios", "importar", str(csv))
    assert codigo == 1, texto
    assert f"El disco donde está la base SQLite {ruta} se llenó" in texto
    assert "no se escribió nada" in texto
    _sin_bug(texto)
    relleno.unlink()
    assert invocar(url, "usuarios", "listar", "--formato", "json").stdout == antes


@pytest.mark.parametrize("motor", ["sqlite"], indirect=True)
def test_sqlite_en_un_sistema_de_archivos_de_solo_lectura(bd_seed, tmpfs):
    ruta = tmpfs / "amauta.db"
    shutil.copyfile(bd_seed.url.split("///", 1)[1], ruta)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    codigo, texto = _correr(f"sqlite:///{ruta}", "db", "entorno", "pruebas")
    assert codigo == 1, texto
    assert "montado solo para lectura" in texto
    _sin_bug(texto)
    codigo, texto = _correr(f"sqlite:///{ruta}", "asistencia", "reporte", "--grupo", "4to Grado A",
                            "--mes", "2024-03", "--html", str(tmpfs / "r.html"))
    assert codigo == 1
    _sin_bug(texto)


@pytest.mark.parametrize("motor", ["sqlite"], indirect=True)
def test_html_en_solo_lectura(bd_seed, tmpfs):
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    codigo, texto = _correr(bd_seed.url, "asistencia", "reporte", "--grupo", "4to Grado A",
                            "--mes", "2024-03", "--html", str(tmpfs / "r.html"))
    assert codigo == 1, texto
    assert "montado solo para lectura" in texto
    _sin_bug(texto)


@pytest.mark.parametrize("motor", ["sqlite"], indirect=True)
def test_sqlite_sin_permiso_de_escritura(bd_seed, tmp_path):
    """Otro usuario (nobody) puede leer la base pero no escribir en su carpeta."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("hace falta root y setpriv para correr como otro usuario")
    carpeta = tmp_path / f"privada-{uuid.uuid4().hex[:6]}"
    carpeta.mkdir(mode=0o755)
    os.chmod(tmp_path, 0o755)
    for p in tmp_path.parents:
        if str(p).startswith("/tmp/pytest-of-"):
            os.chmod(p, 0o755)
    ruta = carpeta / "amauta.db"
    shutil.copyfile(bd_seed.url.split("///", 1)[1], ruta)
    os.chmod(ruta, 0o644)
    antes = invocar(f"sqlite:///{ruta}", "usuarios", "listar", "--formato", "json").stdout
    from amauta_cli.db import cerrar_motores

    cerrar_motores()
    codigo, texto = _correr(f"sqlite:///{ruta}", "db", "entorno", "pruebas", usuario="nobody",
                            env={"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)})
    assert codigo == 1, texto
    assert "este usuario no puede escribir" in texto or "solo lectura para este usuario" in texto
    _sin_bug(texto)
    assert invocar(f"sqlite:///{ruta}", "usuarios", "listar", "--formato", "json").stdout == antes
