"""Cinder's own fake volume driver (cinder.tests.fake_driver.FakeLoggingVolumeDriver) with the
one everyday operation it lacks: growing a volume (its fake LVM has no extend_volume, so Cinder
would set the volume to error_extending). A fake volume is a record with no data: there is
nothing to grow, so this only logs. Loaded by cinder-volume, never by the harness."""
from oslo_log import log as logging

from cinder.tests import fake_driver

LOG = logging.getLogger(__name__)


class FakeVolumeDriver(fake_driver.FakeLoggingVolumeDriver):
    def extend_volume(self, volume, new_size):
        LOG.info("fake extend of %s to %s GB", volume["id"], new_size)
