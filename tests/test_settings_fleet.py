"""Several profiles, `regions: all`, and names botocore does not know refused with the nearest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import botocore.session
import pytest

from artui.aws.names import apprunner_regions
from artui.domain.errors import ConfigError
from artui.settings import DEMO_REGIONS, Account, Settings, load_file, resolve
from tests.test_settings import NO_FILE, aws_config, refused, write

PROFILES = "[profile prod]\nregion = us-east-1\n[profile staging]\n"


@pytest.fixture(autouse=True)
def aws_profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """botocore's config file holds the profiles prod and staging, and nothing else."""
    return aws_config(tmp_path / "aws", monkeypatch, PROFILES)


def fails(**kwargs: object) -> str:
    with pytest.raises(ConfigError) as caught:
        resolve(**kwargs)  # type: ignore[arg-type]
    return str(caught.value)


# -- profiles: in the file ----------------------------------------------------------------------


def test_a_list_of_profiles_each_with_the_settings_regions(tmp_path: Path) -> None:
    path = write(tmp_path, "profiles: [prod, staging]\nregions: [eu-west-1]\n")
    settings = resolve(path=path)
    assert settings.profile is None
    assert settings.profiles == (Account("prod"), Account("staging"))
    assert settings.accounts() == (
        Account("prod", ("eu-west-1",)),
        Account("staging", ("eu-west-1",)),
    )


def test_a_mapping_of_profiles_to_their_own_regions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "regions: [ap-south-1]\nprofiles:\n  prod: [us-east-1, eu-west-1]\n  staging: null\n",
    )
    assert resolve(path=path).accounts() == (
        Account("prod", ("us-east-1", "eu-west-1")),
        Account("staging", ("ap-south-1",)),  # null: the settings' regions
    )
    flow = write(tmp_path, "profiles: {prod: us-east-1, staging: }\n")
    assert resolve(path=flow).profiles == (Account("prod", ("us-east-1",)), Account("staging"))


def test_one_profile_is_profile_as_before(tmp_path: Path) -> None:
    """Single-profile code paths see what they always saw: `profile`, and no `profiles`."""
    assert resolve(path=write(tmp_path, "profiles: [prod]\n")) == Settings(profile="prod")
    own = write(tmp_path, "regions: [us-east-1]\nprofiles: {prod: [eu-west-1]}\n")
    assert resolve(path=own) == Settings(profile="prod", regions=("eu-west-1",))
    assert load_file(own) == Settings(profile="prod", regions=("eu-west-1",))


def test_profile_and_profiles_together_names_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "profile: prod\nrefresh: 5\nprofiles: [staging]\n")
    assert refused(path) == (
        f"{path} line 3, key 'profiles': profile (line 1) and profiles (line 3) cannot both be "
        "set; list every profile under profiles"
    )
    other_way = write(tmp_path, "profiles: [staging]\nprofile: prod\n")
    assert "line 2, key 'profile': profiles (line 1) and profile (line 2)" in refused(other_way)


@pytest.mark.parametrize(
    "text, line, first",
    [
        ("profiles: [prod, staging, prod]\n", 1, 1),
        ("profiles:\n  - prod\n  - staging\n  - prod\n", 4, 2),
        ("profiles:\n  prod: [us-east-1]\n  prod: null\n", 3, 2),
    ],
    ids=["flow-list", "block-list", "mapping"],
)
def test_a_profile_named_twice_is_refused(tmp_path: Path, text: str, line: int, first: int) -> None:
    path = write(tmp_path, text)
    assert refused(path) == (
        f"{path} line {line}, key 'profiles': profile 'prod' is named twice (first on line {first})"
    )


@pytest.mark.parametrize(
    "value, expected",
    [
        ("[]", "profiles must be a list like [prod, staging], or a mapping"),
        ("{}", "profiles must be a list like [prod, staging], or a mapping"),
        ("null", "profiles must be a list like [prod, staging], or a mapping"),
        ("5", "profiles must be a list like [prod, staging], or a mapping"),
        ("[prod, 7]", "profile must be a profile name, got 7"),
        ('["ops\\e[31m"]', "profile name 'ops\\x1b[31m' contains control characters"),
        ("{prod: []}", "the regions of profile 'prod' must be a list like [us-east-1, eu-west-1]"),
        ("{prod: {regions: [us-east-1]}}", "the regions of profile 'prod' must be a list"),
        ("{prod: [Narnia]}", "'Narnia' is not an AWS region name"),
    ],
)
def test_profiles_of_the_wrong_shape(tmp_path: Path, value: str, expected: str) -> None:
    path = write(tmp_path, f"refresh: 5\nprofiles: {value}\n")
    message = refused(path)
    assert message.startswith(f"{path} line 2, key 'profiles': ")
    assert expected in message


# -- profiles: the flags over the file ------------------------------------------------------------


def test_profile_flags_replace_the_files_profiles(tmp_path: Path) -> None:
    path = write(tmp_path, "profiles: {prod: [eu-west-1], staging: null}\nregions: [us-east-1]\n")
    assert resolve(path=path, profile=["staging", "prod"]).accounts() == (
        Account("staging", ("us-east-1",)),
        Account("prod", ("us-east-1",)),  # the file's own regions went with its entry
    )
    assert resolve(path=path, profile=["staging"]) == Settings(
        profile="staging", regions=("us-east-1",)
    )
    single = write(tmp_path, "profile: prod\n")
    assert resolve(path=single, profile=["prod", "staging"]).profiles == (
        Account("prod"),
        Account("staging"),
    )


def test_a_profile_flag_given_twice_is_refused() -> None:
    assert fails(path=NO_FILE, profile=["prod", "staging", "prod"]) == (
        "--profile: profile 'prod' is given twice"
    )


def test_region_flags_replace_the_settings_regions_not_a_profiles_own(tmp_path: Path) -> None:
    path = write(tmp_path, "regions: [ap-south-1]\nprofiles: {prod: [eu-west-1], staging: null}\n")
    assert resolve(path=path, regions=["us-east-2"]).accounts() == (
        Account("prod", ("eu-west-1",)),
        Account("staging", ("us-east-2",)),
    )


def test_demo_keeps_several_profiles_as_labels_and_drops_one(tmp_path: Path) -> None:
    # Profiles no AWS file has: the demo only names simulated accounts after them.
    several = resolve(path=NO_FILE, profile=["alpha", "beta"], demo=True)
    assert (several.profile, several.regions) == (None, DEMO_REGIONS)
    assert several.profiles == (Account("alpha"), Account("beta"))
    assert [a.regions for a in several.accounts()] == [DEMO_REGIONS, DEMO_REGIONS]
    one = resolve(path=write(tmp_path, "profiles: [alpha]\n"), demo=True)
    assert (one.profile, one.profiles, one.regions) == (None, (), DEMO_REGIONS)


# -- regions: all --------------------------------------------------------------------------------


def test_all_is_every_region_botocore_lists_app_runner_in(tmp_path: Path) -> None:
    every = apprunner_regions()
    # botocore's bundled endpoints.json: the same list with no network, App Runner's own.
    assert set(botocore.session.get_session().get_available_regions("apprunner")) <= set(every)
    assert "us-east-1" in every and "eu-west-1" in every
    assert "us-west-1" not in every  # a region App Runner is not offered in
    assert resolve(path=write(tmp_path, "regions: all\n")).regions == every
    assert resolve(path=NO_FILE, regions=["all"]).regions == every
    assert resolve(path=NO_FILE, regions=["eu-west-2", "all"]).regions[0] == "eu-west-2"
    assert len(resolve(path=NO_FILE, regions=["all", "us-east-1"]).regions) == len(every)


def test_all_for_one_profile(tmp_path: Path) -> None:
    path = write(tmp_path, "regions: [us-east-1]\nprofiles: {prod: all, staging: null}\n")
    assert resolve(path=path).accounts() == (
        Account("prod", apprunner_regions()),
        Account("staging", ("us-east-1",)),
    )


def test_load_file_leaves_all_for_resolve(tmp_path: Path) -> None:
    assert load_file(write(tmp_path, "regions: all\n")).regions == ("all",)


def test_settings_import_no_botocore_and_resolve_only_for_a_name() -> None:
    """Importing settings, and resolving with no profile or region named, load no botocore:
    it costs about 0.2 s on the way to the first frame."""
    code = (
        "import sys, os\n"
        "from pathlib import Path\n"
        "from artui import settings\n"
        "assert 'botocore' not in sys.modules, 'import'\n"
        "settings.resolve(path=Path(os.devnull), refresh=7)\n"
        "assert 'botocore' not in sys.modules, 'resolve'\n"
        "settings.resolve(path=Path(os.devnull), regions=['us-east-1'])\n"
        "assert 'botocore' in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert (done.returncode, done.stderr) == (0, "")


# -- did you mean --------------------------------------------------------------------------------


def test_an_unknown_region_names_the_nearest() -> None:
    # The nearest first, then up to two more ("us-east-1, us-east-2 or us-west-2").
    message = fails(path=NO_FILE, regions=["us-east-1", "us-eat-1"])
    assert message.startswith("--region: 'us-eat-1' is not an AWS region (did you mean us-east-1, ")
    assert message.endswith("?)") and " or " in message


def test_a_region_far_from_any_lists_app_runners() -> None:
    message = fails(path=NO_FILE, regions=["xx-nowhere-9"])
    assert message.startswith("--region: 'xx-nowhere-9' is not an AWS region (App Runner's: ")
    assert "us-east-1" in message


def test_a_region_without_app_runner_says_so() -> None:
    message = fails(path=NO_FILE, regions=["us-west-1"])
    assert message.startswith(
        "--region: App Runner is not offered in us-west-1 (botocore lists that region for "
        "other services); the nearest where it is: us-west-2"
    )


def test_an_unknown_region_in_the_file_names_the_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, "refresh: 5\nregions: [us-east-1, eu-wset-1]\n")
    assert fails(path=path).startswith(
        f"{path} line 2, key 'regions': 'eu-wset-1' is not an AWS region (did you mean eu-west-1, "
    )
    own = write(tmp_path, "profiles:\n  prod: [us-east-1]\n  staging: [ca-central-1]\n")
    assert fails(path=own).startswith(
        f"{own} line 3, key 'profiles': App Runner is not offered in ca-central-1"
    )


def test_the_demo_checks_regions_too() -> None:
    assert "did you mean us-east-1" in fails(path=NO_FILE, regions=["us-eats-1"], demo=True)


def test_an_endpoint_of_its_own_takes_any_region_botocore_knows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`artui sim --region us-west-1` serves a region AWS has no App Runner in; a typo is
    still a typo."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_APPRUNNER", "http://127.0.0.1:4599")
    assert resolve(path=NO_FILE, regions=["us-west-1"]).regions == ("us-west-1",)
    assert "did you mean us-west-1" in fails(path=NO_FILE, regions=["us-wesst-1"])


def test_an_unknown_profile_names_the_nearest(aws_profiles: Path) -> None:
    assert fails(path=NO_FILE, profile="prd") == (
        f"--profile: no profile 'prd' in {aws_profiles} or {aws_profiles.parent}/no-credentials "
        "(did you mean 'prod'?)"
    )
    assert "(did you mean 'staging'?)" in fails(path=NO_FILE, profile=["prod", "stagign"])


def test_an_unknown_profile_far_from_any_lists_them(aws_profiles: Path) -> None:
    assert fails(path=NO_FILE, profile="zzzzzz").endswith("(its profiles: 'prod', 'staging')")


def test_an_unknown_profile_in_the_file_names_the_line(tmp_path: Path) -> None:
    single = write(tmp_path, "refresh: 5\nprofile: prdo\n")
    assert fails(path=single).startswith(f"{single} line 2, key 'profile': no profile 'prdo' in ")
    several = write(tmp_path, "profiles:\n  - prod\n  - stagin\n")
    message = fails(path=several)
    assert message.startswith(f"{several} line 3, key 'profiles': no profile 'stagin' in ")
    assert message.endswith("(did you mean 'staging'?)")


def test_no_profiles_at_all_says_how_to_make_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = aws_config(tmp_path / "empty", monkeypatch, "")
    assert fails(path=NO_FILE, profile="prod") == (
        f"--profile: no profile 'prod' in {config} or {config.parent}/no-credentials (there are "
        "none: `aws configure --profile prod` makes one)"
    )


def test_a_profile_in_the_credentials_file_is_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, aws_profiles: Path
) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text("[ci]\naws_access_key_id = x\naws_secret_access_key = y\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    assert resolve(path=NO_FILE, profile="ci").profile == "ci"


def test_an_aws_config_botocore_cannot_parse_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = aws_config(tmp_path / "broken", monkeypatch, "this is [not ini\n")
    message = fails(path=NO_FILE, profile="prod")
    assert message.startswith("--profile: cannot read the AWS profiles (")
    assert str(config) in message


def test_the_demo_does_not_check_profiles() -> None:
    assert resolve(path=NO_FILE, profile="nobody-has-this", demo=True).demo
