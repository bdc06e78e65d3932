package continuous

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// The refresh policy of a continuous aggregate
// (add_continuous_aggregate_policy): a job that refreshes the window
// [now - start_offset, now - end_offset) on its schedule.

// CheckPolicyWindow checks that a refresh policy's window, offsets start
// and end in µs (nil: open), covers at least two buckets of c.
func CheckPolicyWindow(c *catalog.Cagg, start, end *int64) error {
	if start != nil && end != nil && *start-*end < 2*c.BucketWidth {
		return pgerr.New(pgerr.InvalidParameterValue, "policy refresh window too small").
			WithDetail("The start and end offsets must cover at least two buckets in the valid time range of type %q.", c.TimeType.Info().Name)
	}
	return nil
}

// RefreshPolicyJob returns the refresh policy job of continuous
// aggregate view on database db: offsets start and end as stored in its
// config (interval text, nil: open), run every schedule from
// initialStart in timezone tz (nil: not given), created at µs created.
func RefreshPolicyJob(db uint32, view *catalog.Table, start, end any, schedule types.Interval, initialStart, tz any, created int64) (*catalog.Job, error) {
	c := view.View.Cagg
	cfg, err := ConfigText(map[string]any{"start_offset": start, "end_offset": end, "mat_hypertable_id": c.MatID})
	if err != nil {
		return nil, err
	}
	j := &catalog.Job{DB: db, AppName: "Refresh Continuous Aggregate Policy", ProcSchema: ProcSchema, ProcName: ProcRefresh,
		ScheduleInterval: schedule, MaxRetries: RetryForever, RetryPeriod: schedule, Config: cfg, Scheduled: true,
		FixedSchedule: true, HypertableOID: c.MatOID, Owner: PolicyOwner(view), Created: created}
	if err := SetStart(j, initialStart, tz); err != nil {
		return nil, err
	}
	return j, nil
}

// refreshConfig is a refresh policy's config.
type refreshConfig struct {
	StartOffset *string `json:"start_offset"`
	EndOffset   *string `json:"end_offset"`
	MatID       int32   `json:"mat_hypertable_id"`
}

// runRefreshPolicy is policy_refresh_continuous_aggregate: refresh the
// window [now - start_offset, now - end_offset) of the aggregate on
// database d, as the job's owner.
func runRefreshPolicy(ctx context.Context, h Host, d *catalog.Database, j *catalog.Job) error {
	var rc refreshConfig
	if err := json.Unmarshal([]byte(j.Config), &rc); err != nil {
		return pgerr.New(pgerr.InvalidParameterValue, "invalid job config: %v", err)
	}
	view := h.Catalog().Snapshot().CaggByMatID(rc.MatID)
	if view == nil {
		return pgerr.New(pgerr.UndefinedTable, "continuous aggregate with materialization hypertable %d of job %d does not exist", rc.MatID, j.ID)
	}
	now := time.Now().UnixMicro()
	at := func(off *string) (*int64, error) {
		if off == nil {
			return nil, nil
		}
		iv, err := types.ParseText(types.IntervalT, *off, nil)
		if err != nil {
			return nil, fmt.Errorf("job %d offset %q: %w", j.ID, *off, err)
		}
		v := now - types.IntervalMicros(iv.(types.Interval))
		return &v, nil
	}
	start, err := at(rc.StartOffset)
	if err != nil {
		return err
	}
	end, err := at(rc.EndOffset)
	if err != nil {
		return err
	}
	err = Refresh(ctx, h, d, j.Owner, view.OID, start, end)
	if IsWindowTooSmall(err) {
		return nil // the window holds no whole bucket yet: nothing to do
	}
	return err
}
