import time, pytest
from hotline.workcalendar.services import load_official_year, seed_default_rules
from tests.factories import make_city

def test_t(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    t=time.perf_counter()
    for y in (2023,2024,2025,2026): load_official_year(year=y)
    seed_default_rules()
    t1=time.perf_counter()
    c=make_city()
    t2=time.perf_counter()
    o=c.dispatched()
    t3=time.perf_counter()
    print("cal",t1-t,"city",t2-t1,"disp",t3-t2)
