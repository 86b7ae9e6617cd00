"""``amauta asistencia importar`` y ``exportar``: validación completa antes de escribir, todo o nada."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from fabrica import (
    ANA,
    COLEGIO,
    ESCUELA,
    GRUPO,
    INACTIVO,
    LUCAS,
    MATEO,
    OTRO_GRUPO,
    JUAN,
    SOFIA,
    VALENTINA,
    escribir_csv,
)


pytestmark = pytest.mark.escenario("asistencia")  # bd (y cli) son la escuela de asistencia de la fábrica


def asistencias(bd) -> list[tuple]:
    """(grupo, email, fecha, estado, observaciones) de toda la tabla, ordenado."""
    filas = bd.filas(
        'SELECT g.nombre, u.email, a.fecha, a.estado, a.observaciones FROM "Asistencia" a '
        'JOIN "Usuario" u ON u.id = a."estudianteId" JOIN "Grupo" g ON g.id = a."grupoId"'
    )
    return sorted((g, e, str(f)[:10], str(est), obs) for g, e, f, est, obs in filas)


CSV_BUENO = (
    "grupo,email,fecha,estado,observaciones\n"
    f"{GRUPO},{LUCAS},2024-03-04,PRESENTE,\n"
    f"4to grado a,{VALENTINA.upper()},04/03/2024,a,\n"
    f"{GRUPO},{SOFIA},2024-03-04,j,certificado médico\n"
    f"{GRUPO},{MATEO},5/3/2024,Tardanza,\n"
    f"{OTRO_GRUPO},{ANA},2024-03-04,p,\n"
    f"{OTRO_GRUPO},{JUAN},2024-03-05,ausente,\"dijo: \"\"turno médico\"\"\"\n"
)
ESPERADO = sorted([
    (OTRO_GRUPO, ANA, "2024-03-04", "PRESENTE", None),
    (OTRO_GRUPO, JUAN, "2024-03-05", "AUSENTE", 'dijo: "turno médico"'),
    (GRUPO, LUCAS, "2024-03-04", "PRESENTE", None),
    (GRUPO, MATEO, "2024-03-05", "TARDANZA", None),
    (GRUPO, SOFIA, "2024-03-04", "JUSTIFICADO", "certificado médico"),
    (GRUPO, VALENTINA, "2024-03-04", "AUSENTE", None),
])


@pytest.mark.rapida
def test_importar_y_reimportar(bd, cli, tmp_path):
    ruta = escribir_csv(tmp_path / "a.csv", CSV_BUENO)
    r = cli("asistencia", "importar", ruta, "--formato", "json")
    assert r.codigo == 0, r.texto
    assert "Importadas 6 filas de 2 grupos: 6 creadas, 0 actualizadas, 0 sin cambios." in r.stderr
    assert json.loads(r.stdout) == {"lineas": 6, "creados": 6, "actualizados": 0, "sin_cambios": 0, "grupos": 2}
    assert asistencias(bd) == ESPERADO
    ids = [i for (i,) in bd.filas('SELECT id FROM "Asistencia"')]
    assert len(set(ids)) == 6 and all(re.fullmatch(r"c[0-9a-z]{24}", i) for i in ids)
    assert bd.valor('SELECT count(*) FROM "Asistencia" WHERE "createdAt" IS NULL OR "updatedAt" IS NULL') == 0
    # La fecha es la medianoche del día, igual que la que escribe registrar.
    assert {str(f)[:19] for (f,) in bd.filas('SELECT fecha FROM "Asistencia"')} == {"2024-03-04 00:00:00", "2024-03-05 00:00:00"}

    antes = bd.instantanea()
    r = cli("asistencia", "importar", ruta)
    assert r.codigo == 0, r.texto
    assert "0 creadas, 0 actualizadas, 6 sin cambios" in r.stderr
    assert bd.instantanea() == antes


def test_importar_convive_con_registrar(bd, cli, tmp_path):
    assert cli("asistencia", "registrar", "-g", GRUPO, "--fecha", "2024-03-04", "--todos", "P", "--ausente", VALENTINA).codigo == 0
    ruta = escribir_csv(
        tmp_path / "a.csv",
        "grupo,email,fecha,estado,observaciones\n"
        f"{GRUPO},{LUCAS},2024-03-04,P,\n"  # igual
        f"{GRUPO},{VALENTINA},2024-03-04,A,avisó la madre\n"  # misma, con observación nueva
        f"{GRUPO},{MATEO},2024-03-05,T,\n",  # nueva
    )
    r = cli("asistencia", "importar", ruta)
    assert r.codigo == 0, r.texto
    assert "1 creada, 1 actualizada, 1 sin cambios" in r.stderr
    assert bd.contar("Asistencia") == 5


def test_cambio_de_estado_sin_observacion_se_rechaza_con_su_linea(bd, cli, tmp_path):
    assert cli("asistencia", "importar", escribir_csv(tmp_path / "a.csv", CSV_BUENO)).codigo == 0
    antes = bd.instantanea()
    cambio = f"grupo,email,fecha,estado,observaciones\n{GRUPO},{LUCAS},2024-03-04,P,\n{GRUPO},{VALENTINA},2024-03-04,P,\n"
    r = cli("asistencia", "importar", escribir_csv(tmp_path / "b.csv", cambio))
    assert r.codigo == 1
    assert (
        f"línea 3: {VALENTINA} ya figura AUSENTE el 04/03/2024 en '{GRUPO}'; para cambiarlo a PRESENTE "
        "hace falta una observación" in r.stderr
    )
    assert bd.instantanea() == antes
    cambio = cambio.replace(f"{VALENTINA},2024-03-04,P,", f"{VALENTINA},2024-03-04,P,llegó después del acto")
    r = cli("asistencia", "importar", escribir_csv(tmp_path / "c.csv", cambio))
    assert r.codigo == 0, r.texto
    assert "0 creadas, 1 actualizada, 1 sin cambios" in r.stderr


@pytest.mark.rapida
def test_cada_linea_mala_se_informa_con_su_numero_y_nada_se_escribe(bd, cli, tmp_path):
    cli("asistencia", "registrar", "-g", GRUPO, "--fecha", "2024-03-04", "--todos", "P")
    texto = (
        "grupo,email,fecha,estado,observaciones\n"
        f"{GRUPO},{LUCAS},2024-03-05,P,\n"  # 2 buena
        f"{GRUPO},{LUCAS},2024-13-05,P,\n"  # 3 fecha
        f"{GRUPO},{LUCAS},2999-03-05,P,\n"  # 4 futura
        f"{GRUPO},{LUCAS},2024-03-09,P,\n"  # 5 sábado
        f"{GRUPO},{LUCAS},2024-03-06,Presentisimo,\n"  # 6 estado
        f"{GRUPO},lucas-sin-arroba,2024-03-06,P,\n"  # 7 email
        f",{LUCAS},2024-03-06,P,\n"  # 8 sin grupo
        f"7mo Z,{LUCAS},2024-03-06,P,\n"  # 9 grupo inexistente
        f"{INACTIVO},{LUCAS},2024-03-06,P,\n"  # 10 grupo inactivo
        f"{GRUPO},nadie@mail.com,2024-03-06,P,\n"  # 11 usuario inexistente
        f"{GRUPO},{ANA},2024-03-06,P,\n"  # 12 no es del grupo
        f"{GRUPO},{MATEO},2024-03-04,A,\n"  # 13 cambio sin observación
        f"{GRUPO},{LUCAS},05/03/2024,A,\n"  # 14 repite la línea 2
        f"{GRUPO},{SOFIA},2024-03-06,P,extra,de más\n"  # 15 campos de más
        f"{GRUPO},{SOFIA},2024-03-07,,\n"  # 16 sin estado
    )
    antes = bd.instantanea()
    r = cli("asistencia", "importar", escribir_csv(tmp_path / "malo.csv", texto))
    assert r.codigo == 1, r.texto
    esperados = [
        "línea 3: fecha: '2024-13-05' no es una fecha válida (el mes debe ir de 1 a 12)",
        "línea 4: la fecha 05/03/2999 es futura",
        "línea 5: 9/3/2024 es sábado (si ese día hubo clase, importe con --forzar)",
        "línea 6: estado: 'Presentisimo' no es un valor válido (PRESENTE, AUSENTE, TARDANZA, JUSTIFICADO",
        "línea 7: email: 'lucas-sin-arroba' no es un email válido",
        "línea 8: falta el grupo",
        "línea 9: no existe el grupo '7mo Z'",
        "línea 10: el grupo '3ro Viejo' está inactivo: no admite cambios",
        "línea 11: no existe un usuario con el email 'nadie@mail.com'",
        f"línea 12: {ANA} no es estudiante del grupo '{GRUPO}'",
        f"línea 13: {MATEO} ya figura PRESENTE el 04/03/2024",
        "línea 14: repite grupo, email y fecha de la línea 2",
        "línea 15: tiene 6 campos pero el encabezado tiene 5",
        "línea 16: falta el estado",
    ]
    for e in esperados:
        assert e in r.stderr, e
    assert "El archivo tiene 14 líneas con problemas: no se importó nada." in r.stderr
    # En orden de línea.
    posiciones = [r.stderr.index(e) for e in esperados]
    assert posiciones == sorted(posiciones)
    assert "Traceback" not in r.texto
    assert bd.instantanea() == antes


def test_falla_en_la_ultima_linea_de_un_archivo_grande_deja_todo_igual(bd, cli, tmp_path):
    from datetime import date, timedelta

    cli("asistencia", "registrar", "-g", GRUPO, "--fecha", "2024-03-04", "--todos", "P")
    antes = bd.instantanea()
    lineas = ["grupo,email,fecha,estado,observaciones"]
    from amauta_cli.services.calendario import calendario

    cal = calendario()  # la historia, en días de clase: un feriado pediría --forzar
    d = date(2023, 1, 2)
    while len(lineas) < 20_001:
        if cal.es_de_clase(d):
            for e in (LUCAS, MATEO, SOFIA, VALENTINA):
                lineas.append(f"{GRUPO},{e},{d.isoformat()},P,")
        d -= timedelta(days=1)
    lineas = lineas[:20_001]
    lineas.append(f"{GRUPO},{LUCAS},2024-03-04,X,")  # línea 20.002
    r = cli("asistencia", "importar", escribir_csv(tmp_path / "grande.csv", "\n".join(lineas) + "\n"))
    assert r.codigo == 1
    assert "línea 20002: estado: 'X' no es un valor válido" in r.stderr
    assert "El archivo tiene 1 línea con problemas" in r.stderr
    assert bd.instantanea() == antes
    # Sin la última línea, entra todo.
    r = cli("asistencia", "importar", escribir_csv(tmp_path / "grande2.csv", "\n".join(lineas[:-1]) + "\n"))
    assert r.codigo == 0, r.texto
    assert "Importadas 20.000 filas de 1 grupo: 20.000 creadas" in r.stderr
    assert bd.contar("Asistencia") == 20_004


def test_muchos_problemas_se_resumen(bd, cli, tmp_path):
    lineas = ["grupo,email,fecha,estado"] + [f"{GRUPO},{LUCAS},2024-03-04,X" for _ in range(1200)]
    r = cli("asistencia", "importar", escribir_csv(tmp_path / "m.csv", "\n".join(lineas)))
    assert r.codigo == 1
    assert "El archivo tiene 1.200 líneas con problemas" in r.stderr
    assert "línea 1001: estado" in r.stderr and "línea 1002: estado" not in r.stderr
    assert "... y 200 problemas más (se muestran los primeros 1000)" in r.stderr
    assert bd.contar("Asistencia") == 0


@pytest.mark.parametrize(
    "texto, codificacion",
    [
        (
            f"Grupo;Correo;Fecha;Estado;Observación\r\n{GRUPO};{SOFIA};04/03/2024;J;certificado médico\r\n"
            f"{GRUPO};{LUCAS};04/03/2024;P;\r\n",
            "cp1252",
        ),
        (
            f"GRUPO;EMAIL;FECHA;ESTADO;OBSERVACIONES\n{GRUPO};{SOFIA};2024-03-04;justificado;certificado médico\n"
            f"{GRUPO};{LUCAS};2024-03-04;presente;\n",
            "utf-8-sig",
        ),
    ],
    ids=["cp1252-punto-y-coma-alias", "bom-mayusculas"],
)
def test_dialectos_csv(bd, cli, tmp_path, texto, codificacion):
    r = cli("asistencia", "importar", escribir_csv(tmp_path / "d.csv", texto, codificacion))
    assert r.codigo == 0, r.texto
    assert asistencias(bd) == [
        (GRUPO, LUCAS, "2024-03-04", "PRESENTE", None),
        (GRUPO, SOFIA, "2024-03-04", "JUSTIFICADO", "certificado médico"),
    ]


def test_grupos_de_igual_nombre_se_desambiguan_con_institucion(bd, cli, tmp_path):
    bd.ejecutar(
        'INSERT INTO "Grupo" (id, nombre, "institucionId", "educadorId", activo, "createdAt", "updatedAt") '
        'SELECT \'grupo-colegio-4a\', :n, i.id, g."educadorId", true, g."createdAt", g."updatedAt" '
        'FROM "Institucion" i, "Grupo" g WHERE i.nombre = :c AND g.nombre = :n',
        n=GRUPO,
        c=COLEGIO,
    )
    ruta = escribir_csv(tmp_path / "a.csv", f"grupo,email,fecha,estado\n{GRUPO},{LUCAS},2024-03-04,P\n")
    r = cli("asistencia", "importar", ruta)
    assert r.codigo == 1
    assert "línea 2: el grupo '4to Grado A' existe en varias instituciones" in r.stderr
    assert "--institucion" in r.stderr
    r = cli("asistencia", "importar", ruta, "--institucion", "escuela nº 42")
    assert r.codigo == 0, r.texto
    # Por id, un grupo de otra institución se rechaza.
    ruta = escribir_csv(tmp_path / "b.csv", f"grupo,email,fecha,estado\ngrupo-colegio-4a,{LUCAS},2024-03-05,P\n")
    r = cli("asistencia", "importar", ruta, "--institucion", "Escuela Nº 42")
    assert r.codigo == 1 and "es de la institución 'Colegio San Martín'" in r.stderr
    # Dos grupos de igual nombre en la misma institución: solo el id los distingue.
    bd.ejecutar(
        'UPDATE "Grupo" SET "institucionId" = (SELECT id FROM "Institucion" WHERE nombre = :e) '
        "WHERE id = 'grupo-colegio-4a'",
        e=ESCUELA,
    )
    r = cli("asistencia", "importar", escribir_csv(tmp_path / "c.csv", f"grupo,email,fecha,estado\n{GRUPO},{LUCAS},2024-03-06,P\n"))
    assert r.codigo == 1
    assert f"línea 2: hay 2 grupos llamados '4to Grado A' en la institución '{ESCUELA}'; use el id del grupo" in r.stderr


@pytest.mark.parametrize(
    "texto, mensaje",
    [
        ("grupo,email,fecha,estado\n", "no tiene filas de datos"),
        ("grupo,email,estado\nx,y,z\n", "al CSV le faltan columnas obligatorias: fecha"),
        ("", "el archivo CSV está vacío"),
    ],
)
def test_archivos_sin_datos(bd, cli, tmp_path, texto, mensaje):
    r = cli("asistencia", "importar", escribir_csv(tmp_path / "v.csv", texto))
    assert r.codigo == 1 and mensaje in r.stderr


def test_archivo_inexistente(bd, cli, tmp_path):
    r = cli("asistencia", "importar", str(tmp_path / "no.csv"))
    assert r.codigo == 1 and "No existe el archivo" in r.stderr


# --- exportar ---------------------------------------------------------------------------------------------
def test_exportar_y_volver_a_importar(bd, cli, tmp_path):
    assert cli("asistencia", "importar", escribir_csv(tmp_path / "a.csv", CSV_BUENO)).codigo == 0
    r = cli("asistencia", "exportar")
    assert r.codigo == 0, r.texto
    filas = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(filas[0]) == ["grupo", "email", "fecha", "estado", "observaciones"]
    assert sorted((f["grupo"], f["email"], f["fecha"], f["estado"], f["observaciones"] or None) for f in filas) == ESPERADO
    # Ida y vuelta: borrar todo e importar lo exportado deja lo mismo.
    ruta = tmp_path / "exportado.csv"
    ruta.write_text(r.stdout, encoding="utf-8")
    bd.ejecutar('DELETE FROM "Asistencia"')
    r = cli("asistencia", "importar", str(ruta))
    assert r.codigo == 0, r.texto
    assert asistencias(bd) == ESPERADO


def test_exportar_filtra(bd, cli, tmp_path):
    assert cli("asistencia", "importar", escribir_csv(tmp_path / "a.csv", CSV_BUENO)).codigo == 0
    r = cli("asistencia", "exportar", "--grupo", OTRO_GRUPO, "--formato", "json")
    assert [(f["email"], f["fecha"]) for f in json.loads(r.stdout)] == [(ANA, "2024-03-04"), (JUAN, "2024-03-05")]
    r = cli("asistencia", "exportar", "--desde", "2024-03-05", "--hasta", "05/03/2024")
    assert sorted(f["email"] for f in csv.DictReader(io.StringIO(r.stdout))) == [JUAN, MATEO]
    r = cli("asistencia", "exportar", "--institucion", COLEGIO)
    assert r.codigo == 0 and r.stdout.strip() == "grupo,email,fecha,estado,observaciones"


def test_observaciones_con_caracteres_especiales_llegan_intactas(bd, cli, tmp_path):
    obs = 'C:\\notas\\médico\tfirmado\nsegunda línea "citada"'
    texto = 'grupo,email,fecha,estado,observaciones\n' + f'{GRUPO},{SOFIA},2024-03-04,J,"{obs.replace(chr(34), chr(34) * 2)}"\n'
    r = cli("asistencia", "importar", escribir_csv(tmp_path / "e.csv", texto))
    assert r.codigo == 0, r.texto
    assert asistencias(bd) == [(GRUPO, SOFIA, "2024-03-04", "JUSTIFICADO", obs)]


def test_importar_acepta_estudiantes_hoy_inactivos(bd, cli, tmp_path):
    """La historia de quien ya no está: importar la acepta; registrar (el día de hoy), no."""
    from fabrica import PEDRO

    ruta = escribir_csv(tmp_path / "h.csv", f"grupo,email,fecha,estado\n{GRUPO},{PEDRO},2023-05-02,A\n")
    r = cli("asistencia", "importar", ruta)
    assert r.codigo == 0, r.texto
    assert asistencias(bd) == [(GRUPO, PEDRO, "2023-05-02", "AUSENTE", None)]
    r = cli("asistencia", "registrar", "-g", GRUPO, "--fecha", "2023-05-03", "--ausente", PEDRO)
    assert r.codigo == 1 and "está inactivo" in r.stderr
